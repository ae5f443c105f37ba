// The HTTP edge of the admin page: its static files served by the Function App itself, with a strict
// Content-Security-Policy (scripts, styles and API calls from this origin only; no inline script or style; never in a
// frame), nosniff, ETag revalidation, and a plain 404 for anything that is not one of the page's files.
import type { HttpHandler, HttpRequest, HttpResponseInit } from '@azure/functions';
import { fileURLToPath } from 'node:url';
import { logFault, logRequestOutcome, startRequestTimer } from '../observability/request-log.js';
import { assetNameOf, loadStaticAssets, matchesIfNoneMatch, type StaticAssets } from './static-assets.js';

export const ADMIN_PAGE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** On every answer of the page route, files, redirects and 404s alike. */
export const ADMIN_PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': ADMIN_PAGE_CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** Revalidate every time: the files keep their names across deployments, and a 304 costs next to nothing. */
const CACHE_CONTROL = 'no-cache';

const loaded = new Map<string, Promise<StaticAssets>>();
let folderOverride: string | undefined;

/** Tests point the page at a folder they built (the source tree holds TypeScript, not the compiled page). */
export function useAdminPageFolder(folder: string | undefined): void {
  folderOverride = folder;
}

function assetsIn(folder: string): Promise<StaticAssets> {
  let assets = loaded.get(folder);
  if (assets === undefined) {
    assets = loadStaticAssets(folder);
    // A failed load is tried again by the next request (say, after a deployment finished writing the files).
    assets.catch(() => loaded.delete(folder));
    loaded.set(folder, assets);
  }
  return assets;
}

function text(status: number, body: string, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...ADMIN_PAGE_SECURITY_HEADERS, ...headers }, body };
}

async function answer(request: HttpRequest, folder: string): Promise<HttpResponseInit> {
  const requested = request.params.asset ?? '';
  const path = new URL(request.url).pathname;
  // The page's relative URLs (admin.css, main.js) resolve against a folder URL: `…/admin/page` becomes `…/admin/page/`.
  if (requested === '' && !path.endsWith('/')) return text(308, 'Moved to the folder URL.', { Location: `${path}/` });
  const name = assetNameOf(requested);
  const asset = name === undefined ? undefined : (await assetsIn(folder)).get(name);
  if (asset === undefined) return text(404, 'Not found.');
  const headers = { 'Content-Type': asset.contentType, 'Cache-Control': CACHE_CONTROL, ETag: asset.etag, ...ADMIN_PAGE_SECURITY_HEADERS };
  if (matchesIfNoneMatch(request.headers.get('if-none-match'), asset.etag)) return { status: 304, headers };
  return { status: 200, headers, ...(request.method.toUpperCase() === 'HEAD' ? {} : { body: asset.body }) };
}

/** The page's handler, serving the files of `defaultFolder` (a file: URL or a path) unless a test chose another. */
export function adminPageEndpoint(defaultFolder: URL | string): HttpHandler {
  const folder = typeof defaultFolder === 'string' ? defaultFolder : fileURLToPath(defaultFolder);
  return async (request, context) => {
    const elapsed = startRequestTimer();
    const operation = `admin.page.${request.method.toLowerCase()}`;
    try {
      const response = await answer(request, folderOverride ?? folder);
      logRequestOutcome(context, { operation, status: response.status ?? 200, durationMs: elapsed() });
      return response;
    } catch (error) {
      const correlationId = logFault(context, 'admin.page', error);
      logRequestOutcome(context, { operation, status: 500, durationMs: elapsed(), correlationId });
      return text(500, `The admin page could not be served. Correlation id: ${correlationId}`);
    }
  };
}
