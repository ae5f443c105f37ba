// A page of a full run's user list, counted at the storage boundary: the page's users are matched together (the names'
// key rows, then the people's main rows, 14 rows to a query within each person partition, instead of two point reads
// a user); a Graph source is unindexed (no SCIM client reads its view), so no user costs an index row; the writes go in
// entity-group transactions grouped by partition, not user by user: the people's main rows (no second read of a person the match read), the
// pointers of the integration's own names, the `u-` rows (read for the whole run with range queries, not one by one).
// A person changed by another writer between its match and the page's write loses nothing: its transaction fails, and
// it is written alone from a fresh read.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedContentManagerUsers } from '../../../../bench/graph-bench-seed.js';
import { parseSettings } from '../../../../shared/config.js';
import type { PersonDirectory } from '../../../../shared/directory/person-directory.js';
import { PersonStore } from '../../../../shared/directory/person-store.js';
import type { SourceGroups } from '../../../../shared/directory/source-groups.js';
import { GRAPH_MAX_PAGE_SIZE } from '../../../../shared/graph/graph-client.js';
import { parseGraphIntegrationInput } from '../../../../shared/graph/graph-integration-settings.js';
import { userSelect } from '../../../../shared/graph/graph-user-query.js';
import { StepTally, type SyncContext } from '../../../../shared/graph/sync/sync-context.js';
import { GraphSyncStateStore } from '../../../../shared/graph/sync/sync-state-store.js';
import { userListStep } from '../../../../shared/graph/sync/user-steps.js';
import { checkStorage } from '../../../../shared/maintenance/storage-checker.js';
import { ProvisioningLog, type ProvisioningLogStore } from '../../../../shared/provisioning-log/provisioning-log.js';
import { caseFoldKey, ROW_KEYS_PER_QUERY } from '../../../../shared/storage/keys.js';
import { PeopleRepository } from '../../../../shared/storage/people-repository.js';
import { keyRowOf, partitionOfId, scopedKey } from '../../../../shared/storage/person-key-rows.js';
import { createTableClients, ensureTables, type TableClients } from '../../../../shared/storage/table-clients.js';
import { UserIndexRepository } from '../../../../shared/storage/user-index-repository.js';
import { dropTables } from '../../../support/fresh-tables.js';
import { graphClientFor } from '../../../support/graph-fake/client-harness.js';
import { FakeTenant } from '../../../support/graph-fake/fake-tenant.js';
import { type GraphFake, startGraphFake } from '../../../support/graph-fake/graph-fake.js';
import { personDirectoryOver } from '../../../support/person-directory-over.js';
import { startStorageProxy, type StorageProxy } from '../../../support/storage-proxy.js';
import { departuresOver } from '../../../support/departures-over.js';

/** Users in the page: more than the 64 partitions of people, so transactions hold several people each. */
const USERS = 150;

let proxy: StorageProxy;
let tables: TableClients;
let fake: GraphFake;

beforeAll(async () => {
  proxy = await startStorageProxy(String(process.env.AzureWebJobsStorage));
  tables = createTableClients(parseSettings({ AzureWebJobsStorage: proxy.connectionString }), { tablePrefix: `t${randomBytes(6).toString('hex')}` });
  await ensureTables(tables);
  await seedContentManagerUsers(tables.people, USERS);
  const tenant = FakeTenant.create();
  for (let i = 0; i < USERS; i++) tenant.addUser({ userPrincipalName: `user${i}@contoso.example`, department: `Department ${i % 7}` });
  fake = startGraphFake({ tenant, fake: { pageSize: GRAPH_MAX_PAGE_SIZE } });
});
afterAll(async () => {
  fake.close();
  await dropTables(tables);
  await proxy.close();
});

function contextOf(integrationId: string, runId: string, wrap: (directory: PersonDirectory) => PersonDirectory = (directory) => directory): SyncContext {
  const directory = personDirectoryOver(tables, { integrationIds: [integrationId] });
  const settings = parseGraphIntegrationInput({ tenantId: fake.tenant.tenantId, clientId: fake.tenant.app.clientId, clientSecret: fake.tenant.app.clientSecret, groupSelection: { mode: 'all' }, matchingKey: { kind: 'upn' }, userAttributes: ['department'] }, 'create').settings;
  return {
    integrationId,
    runId,
    stepId: 'step1',
    dryRun: false,
    redelivered: false,
    settings,
    client: graphClientFor(fake).client,
    people: wrap(directory),
    groups: undefined as unknown as SourceGroups, // no user of these pages leaves a person
    store: new GraphSyncStateStore(tables.syncruns, integrationId),
    log: new ProvisioningLog({} as ProvisioningLogStore, { recording: false }),
    now: () => new Date('2026-12-02T02:00:00Z'),
  };
}

async function runPage(ctx: SyncContext): Promise<StepTally> {
  const tally = new StepTally();
  const url = ctx.client.url('/users', { select: userSelect(ctx.settings), top: GRAPH_MAX_PAGE_SIZE });
  expect(await userListStep(ctx, { url }, tally)).toEqual([]);
  return tally;
}

/** The storage calls made, by table and kind: `people point read`, `userindex write`, `batch`, `syncruns query`, … */
function callsByKind(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const request of proxy.requests) {
    const [method, path = ''] = request.split(' ');
    const kind = path.endsWith('$batch')
      ? 'batch'
      : `${/\/t[0-9a-f]{12}([a-z]+)/.exec(path)?.[1] ?? path} ${method === 'GET' ? (path.endsWith('()') ? 'query' : 'point read') : 'write'}`;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

/** The people holding a document of the integration, with the Graph id it names. */
async function writtenBy(integrationId: string): Promise<{ id: string; graphId: string }[]> {
  const written: { id: string; graphId: string }[] = [];
  for await (const person of new PeopleRepository(tables.people).scan()) {
    const doc = person.sources[integrationId]?.doc;
    if (doc !== undefined) written.push({ id: person.id, graphId: String(doc.externalId) });
  }
  return written;
}

/** What the storage checker finds, but the catalogs of these tests' integrations, which have no integration row. */
async function storageProblems(): Promise<unknown[]> {
  return (await checkStorage(tables)).problems.filter((problem) => problem.kind !== 'orphan-catalog-row');
}

// A page of 150 users and a storage check, twice, on a machine others share: well past the suite's 30 s default.
describe('a page of users', { timeout: 180_000 }, () => {
  it('matches the page with queries per partition, writes no index row, and writes the rest in transactions by partition', async () => {
    const integrationId = `g${randomBytes(4).toString('hex')}`;
    const ctx = contextOf(integrationId, 'run1');
    proxy.reset();
    const tally = await runPage(ctx);
    expect(tally.counters).toMatchObject({ usersSeen: USERS, usersMatched: USERS, attributesChanged: USERS });
    const calls = callsByKind();

    // Transactions: the people's main rows by their partition; the own-name pointers outside them (claimed, then
    // reasserted) by theirs, the Graph id's bucket; the `u-` rows, one partition, 100 to a transaction.
    const written = await writtenBy(integrationId);
    expect(written).toHaveLength(USERS);
    const pointers = written.map(({ id, graphId }) => keyRowOf('s', scopedKey(integrationId, caseFoldKey(graphId)), partitionOfId(id))).filter((row) => !row.colocated);
    const transactions = new Set(written.map(({ id }) => partitionOfId(id))).size + 2 * new Set(pointers.map((row) => row.partitionKey)).size + Math.ceil(USERS / 100);
    // The match: the UPNs' key rows, then the people's main rows (co-located with them), 14 to a query per partition.
    const perPartition = new Map<string, number>();
    for (const { id } of written) perPartition.set(partitionOfId(id), (perPartition.get(partitionOfId(id)) ?? 0) + 1);
    const matchQueries = 2 * [...perPartition.values()].reduce((sum, count) => sum + Math.ceil(count / ROW_KEYS_PER_QUERY), 0);
    expect(matchQueries).toBeLessThan(USERS);
    expect(calls).toEqual({
      'people query': matchQueries, // never a point read, and never read again
      batch: transactions,
      'syncruns query': 2, // every `u-` row of the integration: those this run stamped, and the others
      'attributes write': 1, // the catalog, once for the page
      'syncruns write': 1, // the page's counts, recorded before its first write (a redelivery reports them)
    });
    expect(await storageProblems()).toEqual([]);

    // The page again, in a new run: every document is as it was, so only the `u-` rows are written (no counts either:
    // nothing to change).
    proxy.reset();
    await runPage(contextOf(integrationId, 'run2'));
    expect(callsByKind()).toEqual({ 'people query': matchQueries, batch: Math.ceil(USERS / 100), 'syncruns query': 2 });
  });

  it('loses nothing of a person another writer changes between its match and the page’s write', async () => {
    const integrationId = `g${randomBytes(4).toString('hex')}`;
    const racedUpn = 'user7@contoso.example';
    const store = new PersonStore(new PeopleRepository(tables.people), new UserIndexRepository(tables.userindex), departuresOver(tables));
    let raced: string | undefined;
    const writtenAlone: string[] = [];
    const ctx = contextOf(integrationId, 'run1', (directory) => {
      const setSources = directory.setSources.bind(directory);
      directory.setSources = async (id, writes, written) => {
        // Another writer (an admin import renaming the user) commits after the match read the person.
        const person = writes.find((write) => write.person.cm?.upn === racedUpn)?.person;
        raced = person?.id;
        await store.mutate(String(person?.id), (current) => ({ next: current?.cm === undefined ? undefined : { ...current, cm: { ...current.cm, displayName: 'Raced Name' } }, result: undefined }));
        return setSources(id, writes, written);
      };
      const setSource = directory.setSource.bind(directory);
      directory.setSource = (id, personId, change) => {
        writtenAlone.push(personId);
        return setSource(id, personId, change);
      };
      return directory;
    });
    const tally = await runPage(ctx);
    expect(tally.counters).toMatchObject({ usersMatched: USERS, attributesChanged: USERS });
    expect(raced).toBeDefined();
    // Its transaction failed on the ETag its match read: it (and whoever shared that transaction) was written alone.
    expect(writtenAlone).toContain(raced);
    expect(writtenAlone.length).toBeLessThan(USERS / 10);
    const after = await new PeopleRepository(tables.people).getById(String(raced));
    expect(after?.cm?.displayName).toBe('Raced Name');
    expect(after?.sources[integrationId]?.doc).toMatchObject({ userPrincipalName: racedUpn, department: 'Department 0' });
    expect(await writtenBy(integrationId)).toHaveLength(USERS);
    expect(await storageProblems()).toEqual([]);
  });
});
