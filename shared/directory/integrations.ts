// Integrations (data sources): creation with a fresh secret token, lookup, token reveal and rotation, and the check
// of a presented token (how a request carries it is its edge's business: scim-api/authenticate.ts). The token's
// plaintext lives only in the secret store.
import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store.js';
import type { IntegrationRecord, UserProvisioning } from './model/integration-record.js';
import type { IntegrationStore } from './model/stores.js';
import { generateSecretToken, hashSecretToken, secretTokenMatches } from './secret-token.js';

export interface IntegrationView {
  id: string;
  displayName: string;
  userProvisioning: UserProvisioning;
  tenantUrl: string;
  created: string;
  lastModified: string;
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

  async get(id: string, baseUrl: string): Promise<IntegrationView | undefined> {
    const record = await this.repository.get(id);
    return record === undefined ? undefined : this.view(record, baseUrl);
  }

  async list(baseUrl: string): Promise<IntegrationView[]> {
    return (await this.repository.list()).map((record) => this.view(record, baseUrl));
  }

  async revealToken(id: string): Promise<string | undefined> {
    const record = await this.repository.get(id);
    return record === undefined ? undefined : this.secrets.get(record.tokenSecretName);
  }

  /** Replaces the token; the old one stops working at once on this instance and within 30 s on others. */
  async rotateToken(id: string): Promise<string | undefined> {
    const record = await this.repository.get(id);
    if (record === undefined) return undefined;
    const token = generateSecretToken();
    await this.secrets.set(record.tokenSecretName, token);
    await this.repository.update({ ...record, tokenHash: hashSecretToken(token), lastModified: new Date(this.now()).toISOString() });
    this.cache.delete(id);
    return token;
  }

  /** The integration the token is the secret of (compared in constant time), or undefined for any other token. */
  async verifyToken(integrationId: string, token: string): Promise<IntegrationRecord | undefined> {
    const record = await this.cachedRecord(integrationId);
    return record !== undefined && secretTokenMatches(token, record.tokenHash) ? record : undefined;
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
    };
  }
}

