// A create takes the name as new without reading it (issue 10: a create-mode POST is the index rows it needs and one
// transaction), and writes only the index rows the person needs (requiredIndexEntriesOf). Pinned here: the rows a
// person holds as its values and the Content Manager's move apart and together again, and two creates of one name
// racing, in every order of their first storage calls, leave one user and only its rows.
import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NameTakenError } from '../../../shared/directory/errors.js';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';
import type { PersonDirectory} from '../../../shared/directory/person-directory.js';
import { type SourceInput, type SourceIntegration } from '../../../shared/directory/person-directory.js';
import { PersonStore } from '../../../shared/directory/person-store.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { UserIndexRepository } from '../../../shared/storage/user-index-repository.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { personDirectoryOver } from '../../support/person-directory-over.js';
import { Interleaving, placements } from '../../support/interleavings.js';
import { departuresOver } from '../../support/departures-over.js';

let tables: TableClients;
const C: SourceIntegration = { id: 'intc', userProvisioning: 'create' };
const D: SourceIntegration = { id: 'intd', userProvisioning: 'create' };

beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => {
  await dropTables(tables);
});

const directoryOver = (people: TableClient, userindex: TableClient): PersonDirectory =>
  personDirectoryOver(tables, { people: new PeopleRepository(people), userindex, integrationIds: [C.id, D.id] });

/** Every index row, as `partition -> ids`, of the partitions whose key contains `marker`. */
async function indexRows(marker: string): Promise<Record<string, string[]>> {
  const rows: Record<string, string[]> = {};
  for await (const row of tables.userindex.listEntities()) {
    if (!String(row.partitionKey).includes(marker)) continue;
    (rows[String(row.partitionKey)] ??= []).push(String(row.rowKey));
  }
  return rows;
}

const userInput = (userName: string, displayName: string, externalId: string): SourceInput => ({
  doc: { userName, displayName, externalId, active: true },
  attributes: [{ path: 'userName', type: 'string' }],
  contentManager: { displayName },
});

describe('index rows a person holds', () => {
  it('a source value equal to the Content Manager value has no row of its own, gets one when they differ, and loses it when they are equal again or the user goes', async () => {
    const marker = randomBytes(4).toString('hex');
    const directory = directoryOver(tables.people, tables.userindex);
    const store = new PersonStore(new PeopleRepository(tables.people), new UserIndexRepository(tables.userindex), departuresOver(tables));
    const created = await directory.createSource(C, userInput(`u-${marker}@contoso.com`, `Name ${marker}`, `ext-${marker}`));
    const name = `name ${marker}`;
    expect(await indexRows(marker)).toEqual({ [`cm|displayName|${name}`]: [created.id], [`intc|externalId|ext-${marker}`]: [created.id] });

    // The Content Manager's displayName changes (an admin import): the source's value now needs its own row.
    const setCmName = (displayName: string) => store.mutate(created.id, (current) => ({ next: current === undefined || current.cm === undefined ? undefined : { ...current, cm: { ...current.cm, displayName } }, result: undefined }));
    await setCmName(`Other ${marker}`);
    expect(await indexRows(marker)).toEqual({ [`cm|displayName|other ${marker}`]: [created.id], [`intc|displayName|${name}`]: [created.id], [`intc|externalId|ext-${marker}`]: [created.id] });

    // The source takes the Content Manager's value: its row goes (the cm row finds it).
    await directory.writeSource(C, created.id, (doc) => ({ doc: { ...doc, displayName: `Other ${marker}` }, attributes: [{ path: 'userName', type: 'string' }] }));
    expect(await indexRows(marker)).toEqual({ [`cm|displayName|other ${marker}`]: [created.id], [`intc|externalId|ext-${marker}`]: [created.id] });

    // A row of an equal value written before this rule is removed with the value, and with the user.
    await tables.userindex.upsertEntity({ partitionKey: `intc|displayName|other ${marker}`, rowKey: created.id });
    await directory.clearSource(C.id, created.id);
    expect(await indexRows(marker)).toEqual({});
  });
});

// Twenty schedules of a dozen storage calls each, one call at a time: slow on a loaded machine, hence the timeouts.
describe('two creates of one new name, racing', () => {
  async function race(second: SourceIntegration, schedule: number[]): Promise<void> {
    const marker = randomBytes(4).toString('hex');
    const userName = `race-${marker}@contoso.com`;
    const run = new Interleaving(schedule);
    const creators = [0, 1].map((i) => directoryOver(run.clientFor(tables.people, i), run.clientFor(tables.userindex, i)));
    const [a, b] = creators as [PersonDirectory, PersonDirectory];
    const outcomes: (PersonRecord | Error)[] = [];
    // Settled inside each operation: the interleaving collects its results only once both have ended.
    const settled = (create: Promise<PersonRecord>): Promise<PersonRecord | Error> => create.catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    await run.run([
      async () => (outcomes[0] = await settled(a.createSource(C, userInput(userName, `Race ${marker}`, `a-${marker}`)))),
      async () => (outcomes[1] = await settled(b.createSource(second, userInput(userName.toUpperCase(), `Race ${marker}`, `b-${marker}`)))),
    ]);
    const won = outcomes.filter((outcome): outcome is PersonRecord => !(outcome instanceof Error));
    const lost = outcomes.filter((outcome) => outcome instanceof Error);
    expect({ trace: run.trace, won: won.length, lost: lost.map((error) => error instanceof NameTakenError) }).toEqual({ trace: run.trace, won: 1, lost: [true] });
    const winner = won[0] as PersonRecord;
    const winnerScope = winner.sources[C.id] === undefined ? second.id : C.id;
    const externalId = String(winner.sources[winnerScope]?.doc.externalId);
    // Only the winner's rows: the loser removed the index rows it wrote, and its person was never written.
    expect({ trace: run.trace, rows: await indexRows(marker) }).toEqual({ trace: run.trace, rows: { [`cm|displayName|race ${marker}`]: [winner.id], [`${winnerScope}|externalId|${externalId}`]: [winner.id] } });
    expect(await new PeopleRepository(tables.people).findByNameKey(userName.toLowerCase(), { verified: true })).toMatchObject({ id: winner.id });
  }

  it('in one integration (a POST retried while the first runs), each order of their first six storage calls', async () => {
    for (const schedule of placements(6, 3)) await race(C, schedule);
  }, 180_000);

  it('in two create-mode integrations, each order of their first six storage calls', async () => {
    for (const schedule of placements(6, 3)) await race(D, schedule);
  }, 180_000);
});
