// LocalFileSecretStore on a real temporary directory.
import fc from 'fast-check';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalFileSecretStore } from '../../../shared/secrets/local-file-secret-store.js';

describe('LocalFileSecretStore', () => {
  let dir: string;
  let path: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secret-store-'));
    path = join(dir, 'nested', 'secrets.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('round-trips values through the file', async () => {
    await new LocalFileSecretStore(path).set('token-1', 'value one');
    expect(await new LocalFileSecretStore(path).get('token-1')).toBe('value one');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ 'token-1': 'value one' });
  });

  it('round-trips any name and value', async () => {
    const store = new LocalFileSecretStore(path);
    const name = fc.stringMatching(/^[0-9a-zA-Z-]{1,127}$/);
    await fc.assert(
      fc.asyncProperty(name, fc.string({ unit: 'binary' }), async (n, value) => {
        await store.set(n, value);
        expect(await store.get(n)).toBe(value);
      }),
      { numRuns: 50 },
    );
  });

  it('reads a missing secret as undefined, with or without a file', async () => {
    const store = new LocalFileSecretStore(path);
    expect(await store.get('absent')).toBeUndefined();
    await store.set('present', 'v');
    expect(await store.get('absent')).toBeUndefined();
  });

  it('deletes a secret and leaves the others', async () => {
    const store = new LocalFileSecretStore(path);
    await store.set('keep', 'k');
    await store.set('drop', 'd');
    await store.delete('drop');
    await store.delete('never-set');
    expect(await store.get('drop')).toBeUndefined();
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ keep: 'k' });
  });

  it.skipIf(process.platform === 'win32')('writes the file readable only by its owner', async () => {
    await new LocalFileSecretStore(path).set('private', 'v');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('persists every one of many concurrent sets', async () => {
    const store = new LocalFileSecretStore(path);
    const names = Array.from({ length: 40 }, (_, i) => `name-${i}`);
    await Promise.all(names.map((n) => store.set(n, `value of ${n}`)));
    const persisted = JSON.parse(await readFile(path, 'utf8')) as Record<string, string>;
    expect(persisted).toEqual(Object.fromEntries(names.map((n) => [n, `value of ${n}`])));
  });

  it('rejects names outside the Key Vault alphabet without touching the file', async () => {
    const store = new LocalFileSecretStore(path);
    for (const bad of ['', 'under_score', 'dot.ted', '../escape', 'space d', 'ü', 'x'.repeat(128)]) {
      await expect(store.set(bad, 'v')).rejects.toThrow(/invalid secret name/);
      await expect(store.get(bad)).rejects.toThrow(/invalid secret name/);
      await expect(store.delete(bad)).rejects.toThrow(/invalid secret name/);
    }
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
