// The values of a targeting attribute in a source's document, as targeting compares them: the scalars found at the
// attribute's path (catalog notation: `title`, `name.givenName`, `emails[type eq "work"].value`, a schema-qualified
// `urn:…:User:department`, Graph's `onPremisesExtensionAttributes.extensionAttribute1`), each normalised (NFC, lower
// case) so that conditions are case-insensitive. Multi-valued attributes give several values.
import type { UserDocument } from '../user-view.js';

/** Values kept per person and attribute: a source cannot make one person cost unbounded index rows. */
export const MAX_VALUES_PER_ATTRIBUTE = 20;

interface PathStep {
  name: string;
  /** `[type eq "work"]`: keep only the items of that type. */
  type?: string;
}

const STEP = /^([^.[\]]+)(?:\[\s*type\s+eq\s+"((?:[^"\\]|\\.)*)"\s*\])?$/i;

/** The steps of a path, or undefined when the path has a shape the catalog never records. */
export function parseAttributePath(path: string): PathStep[] | undefined {
  let rest = path;
  const steps: PathStep[] = [];
  if (/^urn:/i.test(path)) {
    const split = path.lastIndexOf(':');
    steps.push({ name: path.slice(0, split) });
    rest = path.slice(split + 1);
  }
  // Dots inside a filter's quotes are not separators.
  for (const part of rest.match(/(?:[^.[]|\[[^\]]*\])+/g) ?? []) {
    const match = STEP.exec(part);
    if (match === null) return undefined;
    steps.push(match[2] === undefined ? { name: match[1] as string } : { name: match[1] as string, type: JSON.parse(`"${match[2]}"`) as string });
  }
  return steps.length === 0 ? undefined : steps;
}

export const normaliseValue = (value: string): string => value.normalize('NFC').toLowerCase();

function child(value: unknown, name: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  if (name in record) return record[name];
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === lower);
  return key === undefined ? undefined : record[key];
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  // A reference (e.g. the manager) is an object with its value.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return scalarText((value as Record<string, unknown>).value);
  return undefined;
}

/** The normalised, distinct values at the path (at most MAX_VALUES_PER_ATTRIBUTE). */
export function valuesAt(doc: UserDocument | undefined, path: string): string[] {
  const steps = parseAttributePath(path);
  if (doc === undefined || steps === undefined) return [];
  let current: unknown[] = [doc];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const item of current) {
      const found = child(item, step.name);
      for (const value of Array.isArray(found) ? found : [found]) {
        if (value === undefined || value === null) continue;
        if (step.type !== undefined && String(child(value, 'type')).toLowerCase() !== step.type.toLowerCase()) continue;
        next.push(value);
      }
    }
    current = next;
  }
  const values = new Set<string>();
  for (const value of current) {
    const text = scalarText(value);
    if (text !== undefined && values.size < MAX_VALUES_PER_ATTRIBUTE) values.add(normaliseValue(text));
  }
  return [...values].sort();
}
