// Parsing an admin's user import: a JSON array of objects, or CSV (RFC 4180: quoted fields, doubled quotes, CRLF or
// LF) with a header row naming the columns username, upn, displayName, email in any order and case.
import { z } from 'zod';

export interface ImportRow {
  /** 1-based row number in the input (for CSV: the data row, header excluded). */
  row: number;
  username: string;
  upn: string;
  displayName?: string;
  email?: string;
}

export interface RejectedRow {
  row: number;
  username?: string;
  reason: string;
}

/** Most rows one import request may carry. */
export const MAX_IMPORT_ROWS = 50_000;

const COLUMNS = ['username', 'upn', 'displayname', 'email'] as const;

const rowSchema = z.object({
  username: z.string().trim().min(1, 'username is required').max(256, 'username is longer than 256 characters'),
  upn: z.string().trim().max(256, 'upn is longer than 256 characters').optional(),
  displayName: z.string().trim().max(256, 'displayName is longer than 256 characters').optional(),
  email: z.string().trim().max(256).optional(),
});

export class ImportFormatError extends Error {}

export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new ImportFormatError('CSV ends inside a quoted field');
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => r.some((value) => value.trim() !== ''));
}

function csvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (header === undefined) return [];
  const names = header.map((name) => name.trim().toLowerCase());
  if (!names.includes('username')) throw new ImportFormatError('the CSV header must name the columns username, upn, displayName, email');
  const unknown = names.filter((name) => !(COLUMNS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new ImportFormatError(`unknown CSV column(s): ${unknown.join(', ')}`);
  return rows.map((values) => {
    const object: Record<string, string> = {};
    names.forEach((name, i) => {
      const key = name === 'displayname' ? 'displayName' : name;
      object[key] = values[i] ?? '';
    });
    return object;
  });
}

/** Parses the body; `accepted` rows are normalised (upn defaults to username), `rejected` say why. */
export function parseUserImport(body: string, contentType: string): { accepted: ImportRow[]; rejected: RejectedRow[] } {
  let items: unknown[];
  if (/\bcsv\b/i.test(contentType) || /^\s*[^[{\s]/.test(body)) {
    items = csvObjects(body);
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.replace(/^\uFEFF/, '')); // a byte-order mark is ignored here as it is for CSV
    } catch {
      throw new ImportFormatError('the body is neither a JSON array nor CSV');
    }
    if (!Array.isArray(parsed)) throw new ImportFormatError('a JSON import must be an array of users');
    items = parsed;
  }
  if (items.length > MAX_IMPORT_ROWS) throw new ImportFormatError(`at most ${MAX_IMPORT_ROWS} users per request`);
  const accepted: ImportRow[] = [];
  const rejected: RejectedRow[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const row = index + 1;
    const result = rowSchema.safeParse(item);
    if (!result.success) {
      const username = typeof (item as { username?: unknown })?.username === 'string' ? (item as { username: string }).username : undefined;
      rejected.push({ row, ...(username === undefined ? {} : { username }), reason: result.error.issues.map((i) => `${i.path.join('.') || 'row'}: ${i.message}`).join('; ') });
      return;
    }
    const { username, displayName, email } = result.data;
    const upn = result.data.upn === undefined || result.data.upn === '' ? username : result.data.upn;
    const key = username.toLowerCase();
    if (seen.has(key)) {
      rejected.push({ row, username, reason: `duplicate of row ${seen.get(key)}` });
      return;
    }
    seen.set(key, row);
    const parsed: ImportRow = { row, username, upn };
    if (displayName !== undefined && displayName !== '') parsed.displayName = displayName;
    if (email !== undefined && email !== '') parsed.email = email;
    accepted.push(parsed);
  });
  return { accepted, rejected };
}
