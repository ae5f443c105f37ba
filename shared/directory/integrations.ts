// Integrations (data sources): creation with a fresh secret token, lookup, token reveal and rotation, and the check
// of a presented token (how a request carries it is its edge's business: scim-api/authenticate.ts). The token's
// plaintext lives only in the secret store. A Graph integration has no SCIM token: it holds its settings (opaque JSON
// here, parsed by shared/graph's schema at the edge) and its client secret, kept in the secret store only.
import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store.js';
import { InvalidValueError, NotFoundError } from './errors.js';
import type { IntegrationMethod, IntegrationRecord, UserProvisioning } from './model/integration-record.js';
import type { IntegrationStore } from './model/stores.js';
import { generateSecretToken, hashSecretToken, secretTokenMatches } from './secret-token.js';

export interface IntegrationView {
  id: string;
  displayName: string;
  userProvisioning: UserProvisioning;
  tenantUrl: string;
  created: string;
  lastModified: string;
  method: IntegrationMethod;
  /** A Graph integration's settings (never its client secret) and whether it runs. */
  graph?: Record<string, unknown>;
  enabled?: boolean;
}

/** What a Graph integration is created or edited with: its settings (already validated) and, when new, the secret. */
export interface GraphIntegrationFields {
  settings: { enabled: boolean } & Record<string, unknown>;
  /** The client secret; undefined keeps the stored one (an edit). */
  clientSecret: string | undefined;
}

/** A Graph integration as the sync reads it: its settings JSON and its client secret from the secret store. */
export interface GraphIntegrationConfig {
  record: IntegrationRecord;
  settings: unknown;
  clientSecret: string;
}

/** How long an authenticated integration row is trusted before it is read again (token rotation takes effect). */
const AUTH_CACHE_MS = 30_000;

export function tenantUrlOf(baseUrl: string, integrationId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/scim/${integrationId}/v2`;
}

export class IntegrationService {
  private readonly cache = new Map<string, { record: IntegrationRecord; until: number }>();

  constructor(
    private readonly repository: IntegrationStore,
    private readonly secrets: SecretStore,
    private readonly now: () => number = Date.now,
  ) {}

  async create(input: { displayName: string; userProvisioning: UserProvisioning }, baseUrl: string): Promise<IntegrationView & { secretToken: string }> {
    const id = randomBytes(16).toString('hex');
    const token = generateSecretToken();
    const tokenSecretName = `scim-token-${id}`;
    const timestamp = new Date(this.now()).toISOString();
    await this.secrets.set(tokenSecretName, token);
    try {
      const record = await this.repository.create({
        id,
        displayName: input.displayName,
        userProvisioning: input.userProvisioning,
        tokenHash: hashSecretToken(token),
        tokenSecretName,
        created: timestamp,
        lastModified: timestamp,
      });
      return { ...this.view(record, baseUrl), secretToken: token };
    } catch (error) {
      await this.secrets.delete(tokenSecretName).catch(() => undefined);
      throw error;
    }
  }

  /** Creates a Graph integration: the client secret goes to the secret store, the settings to the record. */
  async createGraph(input: { displayName: string } & GraphIntegrationFields, baseUrl: string): Promise<IntegrationView> {
    if (input.clientSecret === undefined) throw new InvalidValueError('clientSecret', 'clientSecret is required');
    const id = randomBytes(16).toString('hex');
    const clientSecretName = `graph-client-secret-${id}`;
    const timestamp = new Date(this.now()).toISOString();
    await this.secrets.set(clientSecretName, input.clientSecret);
    try {
      const record = await this.repository.create({
        id,
        displayName: input.displayName,
        userProvisioning: 'matchOnly',
        tokenHash: '',
        tokenSecretName: '',
        created: timestamp,
        lastModified: timestamp,
        method: 'graph',
        graphSettings: JSON.stringify(input.settings),
        enabled: input.settings.enabled,
        clientSecretName,
      });
      return this.view(record, baseUrl);
    } catch (error) {
      await this.secrets.delete(clientSecretName).catch(() => undefined);
      throw error;
    }
  }

  /** Replaces a Graph integration's settings (and its secret, when one is given). NotFoundError for any other id. */
  async updateGraph(id: string, input: GraphIntegrationFields & { displayName?: string }, baseUrl: string): Promise<IntegrationView> {
    const record = await this.repository.get(id);
    if (record?.method !== 'graph' || record.clientSecretName === undefined) throw new NotFoundError(`Graph integration ${id} not found`);
    if (input.clientSecret !== undefined) await this.secrets.set(record.clientSecretName, input.clientSecret);
    const updated = await this.repository.update({
      ...record,
      ...(input.displayName === undefined ? {} : { displayName: input.displayName }),
      graphSettings: JSON.stringify(input.settings),
      enabled: input.settings.enabled,
      lastModified: new Date(this.now()).toISOString(),
    });
    return this.view(updated, baseUrl);
  }

  /** A Graph integration's settings and secret, for the sync; undefined for an unknown or SCIM integration. */
  async graphConfig(id: string): Promise<GraphIntegrationConfig | undefined> {
    const record = await this.repository.get(id);
    if (record?.method !== 'graph' || record.graphSettings === undefined || record.clientSecretName === undefined) return undefined;
    const clientSecret = await this.secrets.get(record.clientSecretName);
    if (clientSecret === undefined) return undefined;
    return { record, settings: JSON.parse(record.graphSettings) as unknown, clientSecret };
  }

  async get(id: string, baseUrl: string): Promise<IntegrationView | undefined> {
    const record = await this.repository.get(id);
    return record === undefined ? undefined : this.view(record, baseUrl);
  }

  async list(baseUrl: string): Promise<IntegrationView[]> {
    return (await this.repository.list()).map((record) => this.view(record, baseUrl));
  }

  async revealToken(id: string): Promise<string | undefined> {
    const record = await this.repository.get(id);
    if (record?.method === 'graph') throw noScimToken();
    return record === undefined ? undefined : this.secrets.get(record.tokenSecretName);
  }

  /** Replaces the token; the old one stops working at once on this instance and within 30 s on others. */
  async rotateToken(id: string): Promise<string | undefined> {
    const record = await this.repository.get(id);
    if (record === undefined) return undefined;
    if (record.method === 'graph') throw noScimToken();
    const token = generateSecretToken();
    await this.secrets.set(record.tokenSecretName, token);
    await this.repository.update({ ...record, tokenHash: hashSecretToken(token), lastModified: new Date(this.now()).toISOString() });
    this.cache.delete(id);
    return token;
  }

  /** The integration the token is the secret of (compared in constant time), or undefined for any other token. */
  async verifyToken(integrationId: string, token: string): Promise<IntegrationRecord | undefined> {
    const record = await this.cachedRecord(integrationId);
    return record !== undefined && record.method !== 'graph' && secretTokenMatches(token, record.tokenHash) ? record : undefined;
  }

  private async cachedRecord(id: string): Promise<IntegrationRecord | undefined> {
    const hit = this.cache.get(id);
    if (hit !== undefined && hit.until > this.now()) return hit.record;
    const record = await this.repository.get(id);
    if (record !== undefined) this.cache.set(id, { record, until: this.now() + AUTH_CACHE_MS });
    return record;
  }

  private view(record: IntegrationRecord, baseUrl: string): IntegrationView {
    return {
      id: record.id,
      displayName: record.displayName,
      userProvisioning: record.userProvisioning,
      tenantUrl: tenantUrlOf(baseUrl, record.id),
      created: record.created,
      lastModified: record.lastModified,
      method: record.method ?? 'scim',
      ...(record.method === 'graph' && record.graphSettings !== undefined ? { graph: JSON.parse(record.graphSettings) as Record<string, unknown>, enabled: record.enabled !== false } : {}),
    };
  }
}

const noScimToken = (): InvalidValueError => new InvalidValueError('secretToken', 'A Graph integration has no SCIM secret token.');

