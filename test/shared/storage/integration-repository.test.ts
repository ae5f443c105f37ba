// IntegrationRepository against Azurite: one row per integration, ETag-guarded updates.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrationRepository } from '../../../shared/storage/integration-repository.js';
import type { IntegrationRecord } from '../../../shared/directory/model/integration-record.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

let tables: TableClients;
let repo: IntegrationRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new IntegrationRepository(tables.integrations);
});
afterAll(async () => {
  await dropTables(tables);
});

function record(overrides: Partial<IntegrationRecord> = {}): IntegrationRecord {
  const id = randomBytes(16).toString('hex');
  return {
    id,
    displayName: 'Entra production',
    userProvisioning: 'matchOnly',
    tokenHash: `sha256:${'ab'.repeat(32)}`,
    tokenSecretName: `scim-token-${id}`,
    created: '2025-01-01T00:00:00.000Z',
    lastModified: '2025-01-01T00:00:00.000Z',
    ...overrides,
  };
}

const statusOf = (error: unknown): unknown => (error as { statusCode?: unknown }).statusCode;

describe('IntegrationRepository', () => {
  it('creates and reads back an integration', async () => {
    const input = record({ userProvisioning: 'create' });
    const created = await repo.create(input);
    expect(created.etag).toBeDefined();
    expect(await repo.get(input.id)).toEqual({ ...input, etag: created.etag });
  });

  it('answers undefined for unknown and malformed ids without querying odd keys', async () => {
    expect(await repo.get(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(await repo.get('')).toBeUndefined();
    expect(await repo.get('ABC')).toBeUndefined();
    expect(await repo.get("x' or '1' eq '1")).toBeUndefined();
    expect(await repo.get('a'.repeat(65))).toBeUndefined();
  });

  it('lists every integration', async () => {
    const inputs = [record({ displayName: 'one' }), record({ displayName: 'two' })];
    for (const input of inputs) await repo.create(input);
    const ids = (await repo.list()).map((r) => r.id);
    for (const input of inputs) expect(ids).toContain(input.id);
  });

  it('refuses a second integration with the same id', async () => {
    const input = record();
    await repo.create(input);
    await expect(repo.create({ ...input, displayName: 'again' })).rejects.toSatisfy((e) => statusOf(e) === 409);
  });

  it('updates with the current ETag and refuses a stale one', async () => {
    const created = await repo.create(record());
    const updated = await repo.update({ ...created, displayName: 'renamed', tokenHash: `sha256:${'cd'.repeat(32)}` });
    expect(updated.etag).not.toBe(created.etag);
    expect(await repo.get(created.id)).toMatchObject({ displayName: 'renamed', tokenHash: `sha256:${'cd'.repeat(32)}` });
    await expect(repo.update({ ...created, displayName: 'lost update' })).rejects.toSatisfy((e) => statusOf(e) === 412);
    expect((await repo.get(created.id))?.displayName).toBe('renamed');
  });

  it('defaults an unknown provisioning mode to matchOnly when reading', async () => {
    const input = record();
    await tables.integrations.createEntity({ partitionKey: 'integration', rowKey: input.id, ...input, id: undefined, userProvisioning: 'bogus' });
    expect((await repo.get(input.id))?.userProvisioning).toBe('matchOnly');
  });

  it('deletes an integration', async () => {
    const created = await repo.create(record());
    await repo.delete(created.id);
    expect(await repo.get(created.id)).toBeUndefined();
    expect((await repo.list()).map((r) => r.id)).not.toContain(created.id);
  });
});
