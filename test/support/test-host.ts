// A local Functions host for tests: the real function registrations served over HTTP by the local host, on services
// backed by the test run's Azurite with tables of their own (a fresh prefix per host) and a temporary secret store.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installFunctionsCore } from '../../local/functions-core.js';
import { type HttpHost, startHttpHost } from '../../local/http-host.js';
import { parseSettings } from '../../shared/config.js';
import { LocalFileSecretStore } from '../../shared/secrets/local-file-secret-store.js';
import { createServices, type Services, useServices } from '../../shared/services.js';

export const TEST_FUNCTIONS_KEY = 'test-functions-key';

export interface TestHost {
  url: string;
  services: Services;
  close(): Promise<void>;
  /** Creates an integration through the admin API; returns its Tenant URL and token. */
  createIntegration(userProvisioning?: 'matchOnly' | 'create', displayName?: string): Promise<{ id: string; tenantUrl: string; secretToken: string }>;
  /** Calls the admin API with the function key. */
  admin(path: string, init?: RequestInit): Promise<Response>;
  /** GETs an admin route and parses the JSON answer. */
  adminJson(path: string): Promise<any>;
}

let registered = false;

export interface TestHostOptions {
  tablePrefix?: string;
  /** Receives every line the local host logs (default: dropped). */
  log?: (line: string) => void;
  /** Storage to use instead of the test run's Azurite (e.g. a counting proxy in front of it). */
  connectionString?: string;
  /** False: SCIM writes leave no provisioning log entry (harnesses that number or gate every storage call). */
  recordProvisioningLog?: boolean;
}

export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const registry = installFunctionsCore();
  if (!registered) {
    await import('../../functions/index.js');
    await import('../../functions/scim-users.js');
    await import('../../functions/scim-groups.js');
    await import('../../functions/scim-discovery.js');
    await import('../../functions/admin-integrations.js');
    await import('../../functions/admin-graph-integrations.js');
    await import('../../functions/admin-users.js');
    await import('../../functions/admin-targeting.js');
    await import('../../functions/scim-search.js');
    await import('../../functions/scim-fallback.js');
    await import('../../functions/admin-page.js');
    await import('../../functions/admin-sign-in.js');
    await import('../../functions/admin-key-check.js');
    await import('../../functions/admin-sync-runs.js');
    await import('../../functions/graph-sync-timer.js');
    await import('../../functions/graph-sync-queue.js');
    await import('../../functions/admin-provisioning-log.js');
    await import('../../functions/provisioning-log-retention.js');
    registered = true;
  }
  const settings = parseSettings({ AzureWebJobsStorage: options.connectionString ?? process.env.AzureWebJobsStorage });
  const secrets = new LocalFileSecretStore(join(await mkdtemp(join(tmpdir(), 'secrets-')), 'secrets.json'));
  const tablePrefix = options.tablePrefix ?? `t${randomBytes(5).toString('hex')}`;
  const services = await createServices(settings, { tablePrefix, secrets, ...(options.recordProvisioningLog === undefined ? {} : { recordProvisioningLog: options.recordProvisioningLog }) });
  useServices(services);
  const host: HttpHost = await startHttpHost({ registry, port: 0, routePrefix: 'api', functionsKey: TEST_FUNCTIONS_KEY, log: options.log ?? (() => undefined) });
  const admin = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`${host.url}/api/admin${path}`, { ...init, headers: { 'x-functions-key': TEST_FUNCTIONS_KEY, ...(init.headers ?? {}) } });
  return {
    url: host.url,
    services,
    admin,
    adminJson: async (path: string) => (await admin(path)).json(),
    close: () => host.close(),
    async createIntegration(userProvisioning = 'matchOnly', displayName = 'Test integration') {
      const response = await admin('/integrations', { method: 'POST', body: JSON.stringify({ displayName, userProvisioning }), headers: { 'content-type': 'application/json' } });
      if (response.status !== 201) throw new Error(`create integration: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string; tenantUrl: string; secretToken: string };
    },
  };
}

/** A small SCIM client bound to one Tenant URL and token. */
export class ScimClient {
  constructor(
    readonly tenantUrl: string,
    private readonly token: string,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const response = await fetch(`${this.tenantUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }), ...headers },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  get(path: string, headers?: Record<string, string>) {
    return this.request('GET', path, undefined, headers);
  }
  post(path: string, body: unknown) {
    return this.request('POST', path, body);
  }
  patch(path: string, body: unknown, headers?: Record<string, string>) {
    return this.request('PATCH', path, body, headers);
  }
  put(path: string, body: unknown) {
    return this.request('PUT', path, body);
  }
  delete(path: string) {
    return this.request('DELETE', path);
  }
}

export const filterQuery = (filter: string): string => `filter=${encodeURIComponent(filter)}`;
