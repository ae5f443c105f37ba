// AttributeCatalogRepository against Azurite: one row per (integration, case-folded path); firstSeen is kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttributeCatalogRepository } from '../../../shared/storage/attribute-catalog-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

const T1 = '2025-01-01T00:00:00.000Z';
const T2 = '2025-02-01T00:00:00.000Z';
const T3 = '2025-03-01T00:00:00.000Z';
let tables: TableClients;
let repo: AttributeCatalogRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new AttributeCatalogRepository(tables.attributes);
});
afterAll(async () => {
  await dropTables(tables);
});

let counter = 0;
const newIntegration = (): string => `int${counter++}`;
const ENTERPRISE_DEPARTMENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department';

describe('AttributeCatalogRepository', () => {
  it('records new paths with firstSeen = lastSeen and lists them sorted by path', async () => {
    const integration = newIntegration();
    await repo.record(integration, [{ path: 'userName', type: 'string' }, { path: 'active', type: 'boolean' }, { path: ENTERPRISE_DEPARTMENT, type: 'string' }], T1);
    expect(await repo.list(integration)).toEqual([
      { path: 'active', type: 'boolean', firstSeen: T1, lastSeen: T1 },
      { path: ENTERPRISE_DEPARTMENT, type: 'string', firstSeen: T1, lastSeen: T1 },
      { path: 'userName', type: 'string', firstSeen: T1, lastSeen: T1 },
    ]);
  });

  it('keeps firstSeen across records and moves lastSeen (and the type) forward', async () => {
    const integration = newIntegration();
    await repo.record(integration, [{ path: 'name.givenName', type: 'string' }], T1);
    await repo.record(integration, [{ path: 'name.givenName', type: 'string' }, { path: 'title', type: 'string' }], T2);
    await repo.record(integration, [{ path: 'name.givenName', type: 'complex' }], T3);
    expect(await repo.list(integration)).toEqual([
      { path: 'name.givenName', type: 'complex', firstSeen: T1, lastSeen: T3 },
      { path: 'title', type: 'string', firstSeen: T2, lastSeen: T2 },
    ]);
  });

  it('treats paths case-insensitively: one row, the latest spelling', async () => {
    const integration = newIntegration();
    await repo.record(integration, [{ path: 'displayName', type: 'string' }], T1);
    await repo.record(integration, [{ path: 'DISPLAYNAME', type: 'string' }], T2);
    expect(await repo.list(integration)).toEqual([{ path: 'DISPLAYNAME', type: 'string', firstSeen: T1, lastSeen: T2 }]);
  });

  it('keeps integrations apart and accepts paths with characters keys cannot hold', async () => {
    const [a, b] = [newIntegration(), newIntegration()];
    const odd = 'emails[type eq "work"].value/#?';
    await repo.record(a, [{ path: odd, type: 'string' }], T1);
    await repo.record(b, [{ path: 'nickName', type: 'string' }], T2);
    expect(await repo.list(a)).toEqual([{ path: odd, type: 'string', firstSeen: T1, lastSeen: T1 }]);
    expect((await repo.list(b)).map((e) => e.path)).toEqual(['nickName']);
    expect(await repo.list(newIntegration())).toEqual([]);
  });

  it('records the same new path from concurrent writers once, keeping the first firstSeen', async () => {
    const integration = newIntegration();
    await Promise.all([
      repo.record(integration, [{ path: 'locale', type: 'string' }], T1),
      repo.record(integration, [{ path: 'locale', type: 'string' }], T1),
    ]);
    await repo.record(integration, [{ path: 'locale', type: 'string' }], T2);
    expect(await repo.list(integration)).toEqual([{ path: 'locale', type: 'string', firstSeen: T1, lastSeen: T2 }]);
  });

  it('does nothing for an empty list', async () => {
    const integration = newIntegration();
    await repo.record(integration, [], T1);
    expect(await repo.list(integration)).toEqual([]);
  });
});
