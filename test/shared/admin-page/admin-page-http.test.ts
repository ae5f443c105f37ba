// The page route over HTTP (the real registration on the local test host), serving a fixture folder: security headers
// on every answer, content types, ETag revalidation, the folder redirect, and nothing but the page's own files, however
// the path is dressed up.
import { request as httpRequest } from 'node:http';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PAGE_CONTENT_SECURITY_POLICY, useAdminPageFolder } from '../../../shared/admin-page/admin-page-http.js';
import { startTestHost, type TestHost } from '../../support/test-host.js';

let host: TestHost;
let folder: string;
const page = (path: string, init?: RequestInit) => fetch(`${host.url}/api/admin/page/${path}`, init);

/** A request sent as written: fetch would resolve `..` before sending it. */
function rawGet(path: string): Promise<{ status: number; body: string }> {
  const url = new URL(host.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'admin-page-fixture-'));
  await mkdir(join(folder, 'screens'));
  await writeFile(join(folder, 'index.html'), '<!doctype html><title>fixture</title>');
  await writeFile(join(folder, 'main.js'), 'export {};');
  await writeFile(join(folder, 'admin.css'), 'body { margin: 0; }');
  await writeFile(join(folder, 'screens', 'groups.js'), 'export const groups = 1;');
  await writeFile(join(folder, 'main.ts'), 'export {};');
  await writeFile(join(folder, 'main.js.map'), '{}');
  await writeFile(join(folder, '.env'), 'SECRET=1');
  useAdminPageFolder(folder);
  host = await startTestHost();
});

afterAll(async () => {
  useAdminPageFolder(undefined);
  await host?.close();
  await rm(folder, { recursive: true, force: true });
});

function expectSecurityHeaders(response: Response): void {
  expect(response.headers.get('content-security-policy')).toBe(ADMIN_PAGE_CONTENT_SECURITY_POLICY);
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('the admin page route', () => {
  it('serves the index without a function key, with a strict CSP that allows no inline script or style', async () => {
    const response = await page('');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toContain('fixture');
    expectSecurityHeaders(response);
    const directives = ADMIN_PAGE_CONTENT_SECURITY_POLICY.split('; ');
    expect(directives).toEqual(expect.arrayContaining(["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"]));
    expect(ADMIN_PAGE_CONTENT_SECURITY_POLICY).not.toMatch(/unsafe|\*|data:/);
  });

  it('redirects the folder URL without its slash, so relative URLs resolve inside it', async () => {
    const response = await fetch(`${host.url}/api/admin/page`, { redirect: 'manual' });
    expect(response.status).toBe(308);
    expect(response.headers.get('location')).toBe('/api/admin/page/');
    expectSecurityHeaders(response);
  });

  it('serves scripts, styles and nested modules with their content types', async () => {
    const script = await page('main.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toBe('export {};');
    expect((await page('admin.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await (await page('screens/groups.js')).text()).toBe('export const groups = 1;');
  });

  it('answers 304 to a matching If-None-Match, and the file to a stale one', async () => {
    const first = await page('main.js');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    const again = await page('main.js', { headers: { 'if-none-match': etag ?? '' } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    expectSecurityHeaders(again);
    const stale = await page('main.js', { headers: { 'if-none-match': '"something-else", W/"old"' } });
    expect(stale.status).toBe(200);
    expect((await page('admin.css')).headers.get('etag')).not.toBe(etag);
  });

  it('answers HEAD with the headers only', async () => {
    const response = await page('index.html', { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).not.toBeNull();
    expect(await response.text()).toBe('');
  });

  it('never serves sources, maps, dot files or unknown names', async () => {
    for (const name of ['main.ts', 'main.js.map', '.env', 'missing.js', 'screens/', 'screens']) {
      const response = await page(name);
      expect(response.status, name).toBe(404);
      expectSecurityHeaders(response);
    }
  });

  it('refuses every path that tries to leave the folder', async () => {
    for (const path of ['..%2f..%2fpackage.json', 'screens/..%2Fmain.js', '..%5c..%5cpackage.json', '%00main.js', 'C:%5cWindows%5cwin.ini']) {
      expect((await page(path)).status, path).toBe(404);
    }
    // Sent as written (the host resolves dot segments as any URL parser does, so these land outside the page route).
    for (const path of ['/api/admin/page/../../../package.json', '/api/admin/page/%2e%2e/%2e%2e/package.json', '/api/admin/page/screens/%2e%2e/%2e%2e/%2e%2e/host.json']) {
      const response = await rawGet(path);
      expect(response.status, path).toBe(404);
      expect(response.body).not.toMatch(/"name"|"version"/);
    }
  });

  it('answers a plain 500 with a correlation id, not the folder, when the page files are missing', async () => {
    useAdminPageFolder(join(folder, 'not-there'));
    try {
      const response = await page('');
      expect(response.status).toBe(500);
      const body = await response.text();
      expect(body).toMatch(/Correlation id: [0-9a-f]+/);
      expect(body).not.toContain(folder);
    } finally {
      useAdminPageFolder(folder);
    }
  });
});
