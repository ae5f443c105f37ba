// The admin page's static files, read once from their folder into memory, each with its content type and a strong
// ETag (a hash of its bytes). Only files of a known type are kept, and a request can only name one of the files found
// at load time: no path is ever joined from request input, so `..` and friends have nothing to reach.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

/** The file types the page is made of; anything else in the folder (sources, maps) is never served. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** What the page's root (`…/admin/page/`) serves. */
export const INDEX_ASSET = 'index.html';
/** Bounds on what one folder may hold: the page is a few small files, a bigger folder is a packaging mistake. */
export const MAX_ASSET_FILES = 200;
export const MAX_ASSET_BYTES = 2 * 1024 * 1024;
/** Longest asset name a request may carry. */
const MAX_ASSET_NAME_LENGTH = 200;

export interface StaticAsset {
  readonly body: Buffer;
  readonly contentType: string;
  /** A strong validator: the same bytes give the same ETag on every instance. */
  readonly etag: string;
}

/** Files by their path relative to the folder, `/`-separated (`index.html`, `screens/groups.js`). */
export type StaticAssets = ReadonlyMap<string, StaticAsset>;

export function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

export async function loadStaticAssets(folder: string): Promise<StaticAssets> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile() && CONTENT_TYPES[extname(entry.name).toLowerCase()] !== undefined);
  if (files.length > MAX_ASSET_FILES) throw new Error(`${folder} holds ${files.length} page files; at most ${MAX_ASSET_FILES} are served.`);
  const assets = new Map<string, StaticAsset>();
  for (const file of files) {
    const path = join(file.parentPath, file.name);
    const body = await readFile(path);
    if (body.length > MAX_ASSET_BYTES) throw new Error(`${path} is ${body.length} bytes; a page file may hold at most ${MAX_ASSET_BYTES}.`);
    const contentType = CONTENT_TYPES[extname(file.name).toLowerCase()] ?? 'application/octet-stream';
    assets.set(relative(folder, path).split(sep).join('/'), { body, contentType, etag: etagOf(body) });
  }
  return assets;
}

/**
 * The asset a request path names (the route's catch-all, already decoded), or undefined when it cannot name one:
 * empty is the index; a segment that is empty, `.` or `..`, a backslash, a colon or a control character is refused
 * outright, whatever the folder holds.
 */
export function assetNameOf(requested: string | undefined): string | undefined {
  if (requested === undefined || requested === '') return INDEX_ASSET;
  if (requested.length > MAX_ASSET_NAME_LENGTH) return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[\\:\u0000-\u001f\u007f]/.test(requested)) return undefined;
  const segments = requested.split('/');
  if (segments.some((segment) => segment === '' || segment === '.' || segment === '..')) return undefined;
  return segments.join('/');
}

/** Whether an If-None-Match header names this ETag (a list, weak forms and `*` included, as RFC 9110 §13.1.2). */
export function matchesIfNoneMatch(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}
