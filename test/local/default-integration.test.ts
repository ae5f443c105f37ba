// The start-up banner of the default local integration: what a newcomer needs on this machine, and no suggestion to
// expose the local host (a tunnel would publish a host whose keys and tokens are meant for one developer).
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { announceDefaultIntegration } from '../../local/default-integration.js';
import { parseSettings } from '../../shared/config.js';
import { LocalFileSecretStore } from '../../shared/secrets/local-file-secret-store.js';
import { createServices, useServices } from '../../shared/services.js';

beforeAll(async () => {
  const settings = parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage });
  const secrets = new LocalFileSecretStore(join(await mkdtemp(join(tmpdir(), 'secrets-')), 'secrets.json'));
  useServices(await createServices(settings, { tablePrefix: `d${randomBytes(5).toString('hex')}`, secrets }));
});
afterAll(() => useServices(undefined));

describe('announceDefaultIntegration', () => {
  it('prints the Tenant URL and Secret Token for a client on this machine, and never suggests a tunnel', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    try {
      await announceDefaultIntegration('http://127.0.0.1:7071');
    } finally {
      spy.mockRestore();
    }
    const banner = lines.join('\n');
    expect(banner).toMatch(/Tenant URL: +http:\/\/127\.0\.0\.1:7071\/api\/scim\/[^/]+\/v2/);
    expect(banner).toMatch(/Secret Token: +\S{20,}/);
    expect(banner).not.toMatch(/tunnel|ngrok|expose/i);
  });
});
