// Integrations (data sources): creation with a fresh secret token, lookup, rename, token reveal and rotation with a
// grace period, and the check of a presented token (how a request carries it is its edge's business:
// scim-api/authenticate.ts). The token's plaintext lives only in the secret store, a new secret name per rotation, so
// the row's ETag-guarded write is the one step that switches tokens: a rotation that fails before it leaves the old
// token current and revealable, one that fails after it has already switched both. A Graph integration has no SCIM token: it holds its settings (opaque JSON
// here, parsed by shared/graph's schema at the edge) and its client secret, kept in the secret store only.
import { randomBytes } from 'node:crypto';
import type { SecretStore } from '../secrets/secret-store.js';
import { ConcurrentUpdateError, isNotFound, isPreconditionFailed } from '../storage/storage-errors.js';
import { InvalidValueError, NotFoundError, StateConflictError } from './errors.js';
import type { IntegrationMethod, IntegrationRecord, IntegrationStatus, UserProvisioning } from './model/integration-record.js';
import type { DeletionProgress } from './integration-deletion.js';
import type { IntegrationStore } from './model/stores.js';
import { generateSecretToken, hashSecretToken, secretTokenMatches } from './secret-token.js';
import { retryConcurrentUpdates } from './write-retries.js';

export interface IntegrationView {
  id: string;
  displayName: string;
  userProvisioning: UserProvisioning;
  tenantUrl: string;
  created: string;
  lastModified: string;
  method: IntegrationMethod;
  /** 'deleting' once a delete is confirmed, until its data is gone. */
  status: IntegrationStatus;
  /** After a rotation: until when the token it replaced is still accepted (absent once that time has passed). */
  previousTokenValidUntil?: string;
  /** While deleting: what the deletion has done so far. */
  deletion?: Omit<DeletionProgress, 'peopleToken' | 'range'>;
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

/** How long an authenticated integration row is trusted before it is read again (a delete takes effect). */
export const AUTH_CACHE_MS = 30_000;
/** A token the cached row refuses is checked against the stored row, at most this often (a rotation elsewhere). */
const REREAD_AFTER_MS = 1_000;
/** How long the token a rotation replaced keeps working unless the caller says otherwise. */
export const DEFAULT_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;
/** Longest grace period a rotation may give the token it replaces. */
export const MAX_ROTATION_GRACE_MS = 30 * 24 * 60 * 60 * 1000;

/** What a rotation answers: the new token, and until when the old one is still accepted (now, for no grace). */
export interface RotatedToken {
  secretToken: string;
  previousTokenValidUntil: string;
}

/** Whether the record accepts the token now: its current one, or the one it replaced within the grace period. */
function acceptsToken(record: IntegrationRecord, token: string, now: number): boolean {
  if (record.method === 'graph' || record.status === 'deleting') return false;
  const current = secretTokenMatches(token, record.tokenHash);
  const previous =
    record.previousTokenHash !== undefined && record.previousTokenValidUntil !== undefined && now < Date.parse(record.previousTokenValidUntil) && secretTokenMatches(token, record.previousTokenHash);
  return current || previous;
}

/** The row as written, or ConcurrentUpdateError when it changed or went since it was read. */
export async function updateGuarded(repository: IntegrationStore, record: IntegrationRecord): Promise<IntegrationRecord> {
  try {
    return await repository.update(record);
  } catch (error) {
    if (isPreconditionFailed(error) || isNotFound(error)) throw new ConcurrentUpdateError(`integration ${record.id}`);
    throw error;
  }
}

export const deletingError = (id: string): StateConflictError => new StateConflictError(`Integration ${id} is being deleted.`);

export function tenantUrlOf(baseUrl: string, integrationId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/scim/${integrationId}/v2`;
}

export class IntegrationService {
  private readonly cache = new Map<string, { record: IntegrationRecord; readAt: number }>();

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
    if (record.status === 'deleting') throw deletingError(id);
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

  /** Renames the integration (guarded by the row's ETag, retried); NotFoundError for an unknown one. */
  async rename(id: string, displayName: string, baseUrl: string): Promise<IntegrationView> {
    const updated = await retryConcurrentUpdates(`integration ${id}`, async () => {
      const record = await this.repository.get(id);
      if (record === undefined) throw new NotFoundError(`Integration ${id} not found`);
      if (record.status === 'deleting') throw deletingError(id);
      return updateGuarded(this.repository, { ...record, displayName, lastModified: new Date(this.now()).toISOString() });
    });
    this.cache.delete(id);
    return this.view(updated, baseUrl);
  }

  async revealToken(id: string): Promise<string | undefined> {
    const record = await this.repository.get(id);
    if (record?.method === 'graph') throw noScimToken();
    if (record?.status === 'deleting') throw deletingError(id);
    return record === undefined ? undefined : this.secrets.get(record.tokenSecretName);
  }

  /**
   * Replaces the token. The new one goes to the secret store under a name of its own; then one ETag-guarded write of
   * the row switches to it and keeps the old token's hash, accepted until the grace period ends. A failure before that
   * write leaves the old token current (the new secret is removed); after it, the old secret is removed.
   */
  async rotateToken(id: string, gracePeriodMs: number = DEFAULT_ROTATION_GRACE_MS): Promise<RotatedToken | undefined> {
    const record = await this.repository.get(id);
    if (record === undefined) return undefined;
    if (record.method === 'graph') throw noScimToken();
    if (record.status === 'deleting') throw deletingError(id);
    const token = generateSecretToken();
    const tokenSecretName = `scim-token-${id}-${randomBytes(6).toString('hex')}`;
    const now = this.now();
    const previousTokenValidUntil = new Date(now + Math.min(Math.max(gracePeriodMs, 0), MAX_ROTATION_GRACE_MS)).toISOString();
    await this.secrets.set(tokenSecretName, token);
    try {
      await updateGuarded(this.repository, {
        ...record,
        tokenHash: hashSecretToken(token),
        tokenSecretName,
        previousTokenHash: record.tokenHash,
        previousTokenValidUntil,
        lastModified: new Date(now).toISOString(),
      });
    } catch (error) {
      // The write may have been applied although its answer was lost: the row says which secret is current.
      const current = await this.repository.get(id).catch(() => undefined);
      if (current?.tokenSecretName !== tokenSecretName) {
        await this.secrets.delete(tokenSecretName).catch(() => undefined);
        throw error;
      }
    }
    this.cache.delete(id);
    if (record.tokenSecretName !== '') await this.secrets.delete(record.tokenSecretName).catch(() => undefined);
    return { secretToken: token, previousTokenValidUntil };
  }

  /**
   * The integration the token is the secret of (compared in constant time), or undefined for any other token. The
   * token a rotation replaced counts until its grace period ends; an integration being deleted accepts none.
   */
  async verifyToken(integrationId: string, token: string): Promise<IntegrationRecord | undefined> {
    const now = this.now();
    const hit = this.cache.get(integrationId);
    const cached = hit !== undefined && now < hit.readAt + AUTH_CACHE_MS ? hit : undefined;
    if (cached !== undefined && acceptsToken(cached.record, token, now)) return cached.record;
    // A refused token may be the one a rotation on another instance just issued: read the row again (not too often).
    if (cached !== undefined && now < cached.readAt + REREAD_AFTER_MS) return undefined;
    const record = await this.repository.get(integrationId);
    if (record === undefined) this.cache.delete(integrationId);
    else this.cache.set(integrationId, { record, readAt: now });
    return record !== undefined && acceptsToken(record, token, now) ? record : undefined;
  }

  /** Forgets the cached row (this instance stops accepting the token of an integration marked deleting at once). */
  forget(id: string): void {
    this.cache.delete(id);
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
      status: record.status ?? 'active',
      ...(record.status === 'deleting' && record.deletion !== undefined ? { deletion: deletionSummary(record.deletion) } : {}),
      ...(record.previousTokenValidUntil !== undefined && Date.parse(record.previousTokenValidUntil) > this.now() ? { previousTokenValidUntil: record.previousTokenValidUntil } : {}),
      ...(record.method === 'graph' && record.graphSettings !== undefined ? { graph: JSON.parse(record.graphSettings) as Record<string, unknown>, enabled: record.enabled !== false } : {}),
    };
  }
}

function deletionSummary(json: string): Omit<DeletionProgress, 'peopleToken' | 'range'> {
  const { since, phase, people, rows } = JSON.parse(json) as DeletionProgress;
  return { since, phase, people, rows };
}

const noScimToken = (): InvalidValueError => new InvalidValueError('secretToken', 'A Graph integration has no SCIM secret token.');

