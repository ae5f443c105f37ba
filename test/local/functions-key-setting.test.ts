// The local function key: random per checkout, generated on the first start, saved in local.settings.json and reused.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensureLocalFunctionsKey } from '../../local/functions-key-setting.js';
import { loadLocalSettings } from '../../local/settings-file.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'functions-key-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const settingsFile = async (): Promise<any> => JSON.parse(await readFile(join(root, 'local.settings.json'), 'utf8'));

/** What `npm start` does: read the settings, then make sure there is a key. */
async function start(env: NodeJS.ProcessEnv = {}) {
  const settings = await loadLocalSettings({ root, env });
  return ensureLocalFunctionsKey({ root, values: settings.values, env });
}

describe('ensureLocalFunctionsKey', () => {
  it('generates a random key on the first start, saves it, and reuses it on later starts', async () => {
    await writeFile(join(root, 'local.settings.sample.json'), JSON.stringify({ IsEncrypted: false, Values: { PORT: '7071' } }));
    const first = await start();
    expect(first.generated).toBe(true);
    expect(first.key).toMatch(/^[\w-]{43}$/);
    expect(await settingsFile()).toEqual({ IsEncrypted: false, Values: { PORT: '7071', LOCAL_FUNCTIONS_KEY: first.key } });
    const second = await start();
    expect(second).toEqual({ key: first.key, generated: false });
  });

  it('gives each checkout its own key', async () => {
    const other = await mkdtemp(join(tmpdir(), 'functions-key-'));
    try {
      const mine = await start();
      const theirs = await ensureLocalFunctionsKey({ root: other, values: {}, env: {} });
      expect(theirs.key).not.toBe(mine.key);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('replaces the key the sample once published, keeping the other settings', async () => {
    await writeFile(join(root, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { LOCAL_FUNCTIONS_KEY: 'local-dev-functions-key', PORT: 7072 } }));
    const { key, generated } = await start();
    expect(generated).toBe(true);
    expect(key).not.toBe('local-dev-functions-key');
    expect((await settingsFile()).Values).toEqual({ LOCAL_FUNCTIONS_KEY: key, PORT: 7072 });
  });

  it('keeps a key the developer chose, and never writes one that comes from the environment', async () => {
    await writeFile(join(root, 'local.settings.json'), JSON.stringify({ Values: { LOCAL_FUNCTIONS_KEY: 'my-own-key' } }));
    expect(await start()).toEqual({ key: 'my-own-key', generated: false });
    expect(await start({ LOCAL_FUNCTIONS_KEY: 'from-env' })).toEqual({ key: 'from-env', generated: false });
    expect((await settingsFile()).Values).toEqual({ LOCAL_FUNCTIONS_KEY: 'my-own-key' });
  });
});
