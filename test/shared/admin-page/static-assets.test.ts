// The page's files in memory: which files a folder contributes, which names a request may use, ETag matching.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetNameOf, etagOf, loadStaticAssets, matchesIfNoneMatch, MAX_ASSET_BYTES } from '../../../shared/admin-page/static-assets.js';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'static-assets-'));
  await mkdir(join(folder, 'screens'));
  await writeFile(join(folder, 'index.html'), '<!doctype html>');
  await writeFile(join(folder, 'screens', 'users.js'), 'export {};');
  await writeFile(join(folder, 'screens', 'users.ts'), 'export {};');
  await writeFile(join(folder, 'notes.txt'), 'not part of the page');
});

afterAll(() => rm(folder, { recursive: true, force: true }));

describe('loadStaticAssets', () => {
  it('keeps the files of known types, nested ones by their /-separated path', async () => {
    const assets = await loadStaticAssets(folder);
    expect([...assets.keys()].sort()).toEqual(['index.html', 'screens/users.js']);
    expect(assets.get('screens/users.js')?.contentType).toBe('text/javascript; charset=utf-8');
    expect(assets.get('index.html')?.etag).toBe(etagOf(Buffer.from('<!doctype html>')));
  });

  it('refuses a folder holding a file too big to be part of the page', async () => {
    const big = await mkdtemp(join(tmpdir(), 'static-assets-big-'));
    try {
      await writeFile(join(big, 'huge.js'), Buffer.alloc(MAX_ASSET_BYTES + 1));
      await expect(loadStaticAssets(big)).rejects.toThrow(/at most/);
    } finally {
      await rm(big, { recursive: true, force: true });
    }
  });
});

describe('assetNameOf', () => {
  it('maps the folder itself to the index and keeps plain names', () => {
    expect(assetNameOf(undefined)).toBe('index.html');
    expect(assetNameOf('')).toBe('index.html');
    expect(assetNameOf('screens/users.js')).toBe('screens/users.js');
  });

  it('refuses dot segments, empty segments, backslashes, drive colons, control characters and long names', () => {
    for (const name of ['..', '../package.json', 'screens/../main.js', './main.js', 'screens//users.js', '/etc/passwd', '..\\package.json', 'C:/x.js', 'a\u0000.js', 'a\n.js', `${'a'.repeat(300)}.js`]) {
      expect(assetNameOf(name), JSON.stringify(name)).toBeUndefined();
    }
  });
});

describe('matchesIfNoneMatch', () => {
  const etag = etagOf(Buffer.from('x'));
  it('matches the tag, its weak form, a list holding it, and *', () => {
    expect(matchesIfNoneMatch(etag, etag)).toBe(true);
    expect(matchesIfNoneMatch(`W/${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch(`"other", ${etag}`, etag)).toBe(true);
    expect(matchesIfNoneMatch('*', etag)).toBe(true);
  });

  it('does not match another tag or no header', () => {
    expect(matchesIfNoneMatch('"other"', etag)).toBe(false);
    expect(matchesIfNoneMatch(null, etag)).toBe(false);
  });
});
