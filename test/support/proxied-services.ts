// The services over fresh tables whose storage traffic goes through a recording proxy in front of Azurite
// (storage-proxy.ts): what a test counting an operation's storage round trips needs.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parseSettings } from '../../shared/config.js';
import { LocalFileSecretStore } from '../../shared/secrets/local-file-secret-store.js';
import { createServices, type Services } from '../../shared/services.js';
import { dropTables } from './fresh-tables.js';
import { startStorageProxy, type StorageProxy } from './storage-proxy.js';

interface ProxiedServices {
  readonly proxy: StorageProxy;
  readonly services: Services;
  /** Drops the tables and closes the proxy. */
  close(): Promise<void>;
}

async function startProxiedServices(): Promise<ProxiedServices> {
  const proxy = await startStorageProxy(String(process.env.AzureWebJobsStorage));
  const secrets = new LocalFileSecretStore(join(await mkdtemp(join(tmpdir(), 'secrets-')), 'secrets.json'));
  const services = await createServices(parseSettings({ AzureWebJobsStorage: proxy.connectionString }), { tablePrefix: `t${randomBytes(5).toString('hex')}`, secrets, recordProvisioningLog: false });
  return {
    proxy,
    services,
    close: async () => {
      await dropTables(services.tables);
      await proxy.close();
    },
  };
}

/**
 * Starts the proxied services before the file's tests and closes them after: the returned object's `proxy` and
 * `services` are there once the tests run.
 */
export function useProxiedServices(): Pick<ProxiedServices, 'proxy' | 'services'> {
  let proxied: ProxiedServices | undefined;
  beforeAll(async () => {
    proxied = await startProxiedServices();
  });
  afterAll(async () => {
    await proxied?.close();
  });
  const started = (): ProxiedServices => {
    if (proxied === undefined) throw new Error('the proxied services are started before the tests run');
    return proxied;
  };
  return {
    get proxy() {
      return started().proxy;
    },
    get services() {
      return started().services;
    },
  };
}
