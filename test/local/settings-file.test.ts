import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadLocalSettings, readHostJson } from '../../local/settings-file.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'local-settings-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const sample = {
  IsEncrypted: false,
  Values: { AzureWebJobsStorage: 'UseDevelopmentStorage=true', LOCAL_FUNCTIONS_KEY: 'local-dev-functions-key', PORT: 7071 },
};

describe('loadLocalSettings', () => {
  it('copies the sample on first run, then reads the existing file', async () => {
    await writeFile(join(root, 'local.settings.sample.json'), JSON.stringify(sample));
    const first = await loadLocalSettings({ root, env: {} });
    expect(first.createdFromSample).toBe(true);
    expect(first.values).toEqual({
      AzureWebJobsStorage: 'UseDevelopmentStorage=true',
      LOCAL_FUNCTIONS_KEY: 'local-dev-functions-key',
      PORT: '7071',
    });
    expect(JSON.parse(await readFile(join(root, 'local.settings.json'), 'utf8'))).toEqual(sample);

    await writeFile(join(root, 'local.settings.json'), JSON.stringify({ Values: { PORT: '8080' } }));
    const second = await loadLocalSettings({ root, env: {} });
    expect(second.createdFromSample).toBe(false);
    expect(second.values).toEqual({ PORT: '8080' });
  });

  it('lets environment variables override file values', async () => {
    await writeFile(join(root, 'local.settings.json'), JSON.stringify(sample));
    const settings = await loadLocalSettings({ root, env: { PORT: '9090', UNRELATED: 'x' } });
    expect(settings.values.PORT).toBe('9090');
    expect(settings.values.LOCAL_FUNCTIONS_KEY).toBe('local-dev-functions-key');
    expect(settings.values).not.toHaveProperty('UNRELATED');
  });

  it('returns no values when neither file exists', async () => {
    const settings = await loadLocalSettings({ root, env: {} });
    expect(settings).toMatchObject({ values: {}, createdFromSample: false });
  });

  it('names the file when it is not valid', async () => {
    await writeFile(join(root, 'local.settings.json'), '{ "Values": ');
    await expect(loadLocalSettings({ root, env: {} })).rejects.toThrow(/local\.settings\.json is not valid JSON/);
    await writeFile(join(root, 'local.settings.json'), JSON.stringify({ Values: { A: { nested: true } } }));
    await expect(loadLocalSettings({ root, env: {} })).rejects.toThrow(/unexpected shape/);
  });
});

describe('readHostJson', () => {
  it('defaults the route prefix to "api"', async () => {
    expect(await readHostJson(root)).toEqual({ routePrefix: 'api' });
    await writeFile(join(root, 'host.json'), JSON.stringify({ version: '2.0' }));
    expect(await readHostJson(root)).toEqual({ routePrefix: 'api' });
  });

  it('reads extensions.http.routePrefix, empty allowed', async () => {
    await writeFile(join(root, 'host.json'), JSON.stringify({ extensions: { http: { routePrefix: '/scim/' } } }));
    expect(await readHostJson(root)).toEqual({ routePrefix: 'scim' });
    await writeFile(join(root, 'host.json'), JSON.stringify({ extensions: { http: { routePrefix: '' } } }));
    expect(await readHostJson(root)).toEqual({ routePrefix: '' });
  });
});
