// An in-process fake of the Azure Key Vault secrets REST API (data plane), faithful enough for the real
// @azure/keyvault-secrets SecretClient to run unchanged: HTTPS with a throwaway self-signed certificate, the
// Key Vault challenge (401 + WWW-Authenticate, then a bearer token for https://vault.azure.net/.default, checked),
// set/get/delete/get-deleted/purge with soft delete, and real error bodies. The vault host looks like a real one
// (<name>.vault.azure.net) so the SDK's challenge resource verification stays on; the HTTP agent in `clientOptions`
// trusts the certificate and resolves only that host, to 127.0.0.1. Every request is recorded for assertions.
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Agent, createServer } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { promisify } from 'node:util';

export const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';

/** A TokenCredential that hands out one fixed token and records what it was asked for. */
export class FakeTokenCredential implements TokenCredential {
  readonly requests: { scopes: string[]; tenantId: string | undefined }[] = [];

  constructor(readonly token: string) {}

  getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken> {
    this.requests.push({ scopes: [scopes].flat(), tenantId: options?.tenantId });
    return Promise.resolve({ token: this.token, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: 'Bearer' });
  }
}

export interface RecordedRequest {
  method: string;
  /** Path and query string, as sent. */
  url: string;
  authorized: boolean;
  body: string;
  status: number;
}

export interface FakeKeyVault {
  vaultUrl: string;
  tenantId: string;
  /** Issues the one token this vault accepts. */
  credential: FakeTokenCredential;
  /** Pass to SecretClient (or KeyVaultSecretStore): an agent that trusts the fake's certificate. */
  clientOptions: SecretClientOptions;
  requests: RecordedRequest[];
  /** How many GET /deletedsecrets/{name} polls answer 404 before a deletion shows up (real vaults lag). */
  deletionLag: number;
  close(): Promise<void>;
}

/** Test-only: a fresh self-signed EC certificate for `hosts` (first is the CN), made with the openssl CLI. */
export async function selfSignedCertificate(hosts: string[]): Promise<{ key: string; cert: string }> {
  const san = hosts.map((h) => (/^[\d.]+$/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'];
  args.push('-subj', `/CN=${hosts[0] ?? 'localhost'}`, '-addext', `subjectAltName=${san}`, '-keyout', '-', '-out', '-');
  let pem: string;
  try {
    pem = (await promisify(execFile)('openssl', args, { encoding: 'utf8' })).stdout;
  } catch (error) {
    throw new Error('the fake Key Vault needs the openssl CLI on PATH to make a test certificate', { cause: error });
  }
  const block = (label: string) => new RegExp(`-----BEGIN ${label}-----[^-]+-----END ${label}-----\\n`).exec(pem)?.[0];
  const key = block('PRIVATE KEY');
  const cert = block('CERTIFICATE');
  if (!key || !cert) throw new Error('openssl did not print a key and a certificate');
  return { key, cert };
}

interface Version {
  id: string;
  value: string;
  contentType: string | undefined;
  created: number;
}
interface Deleted {
  latest: Version;
  deletedDate: number;
  pendingPolls: number;
}

const NAME = /^[0-9a-zA-Z-]{1,127}$/;
const now = () => Math.floor(Date.now() / 1000);

export async function startFakeKeyVault(vaultName = 'fake-vault'): Promise<FakeKeyVault> {
  const host = `${vaultName}.vault.azure.net`;
  const { key, cert } = await selfSignedCertificate([host]);
  const tenantId = randomUUID();
  const credential = new FakeTokenCredential(`fake-kv-token-${randomUUID()}`);
  const live = new Map<string, Version[]>();
  const deleted = new Map<string, Deleted>();
  const requests: RecordedRequest[] = [];
  let vaultUrl = '';

  const attributes = (v: Version) => ({
    enabled: true,
    created: v.created,
    updated: v.created,
    recoverableDays: 90,
    recoveryLevel: 'Recoverable+Purgeable',
  });
  const bundle = (v: Version) => ({ value: v.value, contentType: v.contentType, id: v.id, attributes: attributes(v) });
  const deletedBundle = (name: string, d: Deleted) => ({
    recoveryId: `${vaultUrl}/deletedsecrets/${name}`,
    deletedDate: d.deletedDate,
    scheduledPurgeDate: d.deletedDate + 90 * 86_400,
    contentType: d.latest.contentType,
    id: d.latest.id,
    attributes: attributes(d.latest),
  });
  const notFound = (what: string) =>
    [404, error('SecretNotFound', `A secret with (name/id) ${what} was not found in this key vault.`)] as const;

  function route(method: string, path: string[], body: string): readonly [number, unknown] {
    const [collection, name = '', version, action] = path;
    if (!NAME.test(name) || action !== undefined) return [400, error('BadParameter', 'Invalid request path.')];
    if (collection === 'secrets' && method === 'PUT' && version === undefined) {
      if (deleted.has(name)) return [409, conflict(name)];
      const parsed = parseJson(body);
      if (typeof parsed?.value !== 'string') return [400, error('BadParameter', 'Property value is required.')];
      const contentType = typeof parsed.contentType === 'string' ? parsed.contentType : undefined;
      const id = `${vaultUrl}/secrets/${name}/${randomUUID().replaceAll('-', '')}`;
      const v: Version = { id, value: parsed.value, contentType, created: now() };
      live.set(name, [...(live.get(name) ?? []), v]);
      return [200, bundle(v)];
    }
    const versions = live.get(name);
    if (collection === 'secrets' && method === 'GET') {
      const v = version ? versions?.find((x) => x.id.endsWith(`/${version}`)) : versions?.at(-1);
      return v ? [200, bundle(v)] : notFound(version ? `${name}/${version}` : name);
    }
    if (collection === 'secrets' && method === 'DELETE' && version === undefined) {
      const latest = versions?.at(-1);
      if (!latest) return notFound(name);
      live.delete(name);
      const d: Deleted = { latest, deletedDate: now(), pendingPolls: fake.deletionLag };
      deleted.set(name, d);
      return [200, deletedBundle(name, d)];
    }
    const d = deleted.get(name);
    if (collection === 'deletedsecrets' && version === undefined && (method === 'GET' || method === 'DELETE')) {
      if (!d || (method === 'GET' && d.pendingPolls-- > 0)) {
        return [404, error('SecretNotFound', `Deleted Secret not found: ${name}`)];
      }
      if (method === 'GET') return [200, deletedBundle(name, d)];
      deleted.delete(name);
      return [204, undefined];
    }
    return [405, error('BadParameter', `The method ${method} is not supported here.`)];
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', vaultUrl);
    const authorization = req.headers.authorization;
    let status: number;
    let payload: unknown;
    if (!authorization) {
      [status, payload] = [401, error('Unauthorized', 'AKV10000: Request is missing a Bearer or PoP token.')];
    } else if (authorization !== `Bearer ${credential.token}`) {
      [status, payload] = [401, error('Unauthorized', 'AKV10032: Invalid issuer.')];
    } else if (!url.searchParams.get('api-version')) {
      [status, payload] = [400, error('BadParameter', 'The api-version query parameter is required.')];
    } else {
      const path = url.pathname.replace(/\/$/, '').split('/').slice(1).map(decodeURIComponent);
      [status, payload] = route(req.method ?? 'GET', path, body);
    }
    requests.push({ method: req.method ?? '', url: req.url ?? '', authorized: authorization !== undefined, body, status });
    const headers: Record<string, string> = { 'x-ms-request-id': randomUUID(), 'x-ms-keyvault-service-version': '1.9.0.0' };
    if (status === 401) {
      headers['www-authenticate'] = `Bearer authorization="https://login.microsoftonline.com/${tenantId}", resource="https://vault.azure.net"`;
    }
    if (payload !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(status, headers).end(payload === undefined ? undefined : JSON.stringify(payload));
  }

  const server = createServer({ key, cert }, (req, res) => {
    handle(req, res).catch((e: unknown) => res.writeHead(500).end(String(e)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vaultUrl = `https://${host}:${(server.address() as AddressInfo).port}`;

  // Resolves the fake vault's host (and nothing else) to the loopback address, so nothing can leak to a real vault.
  const lookup: LookupFunction = (hostname, options, callback) => {
    const refused = Object.assign(new Error(`fake Key Vault: not resolving ${hostname}`), { code: 'ENOTFOUND' });
    if (hostname !== host) callback(refused, '', 4);
    else if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
  };
  const agent = new Agent({ ca: cert, lookup, keepAlive: true });

  const fake: FakeKeyVault = {
    vaultUrl,
    tenantId,
    credential,
    clientOptions: { agent },
    requests,
    deletionLag: 0,
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
    },
  };
  return fake;
}

function error(code: string, message: string) {
  return { error: { code, message } };
}

function conflict(name: string) {
  const message = `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`;
  return { error: { code: 'Conflict', message, innererror: { code: 'ObjectIsDeletedButRecoverable' } } };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
