// Index rows under concurrent writers of one person, now that no writer re-reads or rewrites its rows after it commits
// (user-index-repository.ts: rows stamped with the person's version they were claimed for). One writer takes a value
// away while another brings it back (or keeps writing it), in many orders of their storage calls; afterwards the
// person's every value has its row and no row names a value the person lacks. Without the stamps (a table that hides
// them, so every row looks claimed before any version) some order loses the row of a value the person has.
import { randomBytes } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';
import { PersonStore } from '../../../shared/directory/person-store.js';
import { indexEntriesOf, requiredIndexEntriesOf } from '../../../shared/directory/user-view.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { partitionOf, UserIndexRepository } from '../../../shared/storage/user-index-repository.js';
import { departuresOver } from '../../support/departures-over.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { blockSchedules, Interleaving, shuffledSchedules } from '../../support/interleavings.js';
import { wrapTableMethod } from '../../support/table-method-wrap.js';

let tables: TableClients;

beforeAll(async () => {
  tables = await createFreshTables();
});
afterAll(async () => {
  await dropTables(tables);
});

const SOURCE = 'intidx';

/** The index table as a repository that ignores the stamps would see it: every row read without its `v`. */
function withoutStamps(table: TableClient): TableClient {
  return wrapTableMethod(table, 'getEntity', async (call, args) => {
    const { v: _stamp, ...rest } = (await call(...args)) as Record<string, unknown>;
    return rest;
  });
}

/** The store as operation `operation` of the interleaving sees it, or ungated (for setting up) without one. */
function storeOver(run: Interleaving | undefined, operation: number, stamps: boolean): PersonStore {
  const gated = (table: TableClient): TableClient => (run === undefined ? table : run.clientFor(table, operation));
  const [people, index, members] = [gated(tables.people), gated(tables.userindex), gated(tables.members)];
  return new PersonStore(new PeopleRepository(people), new UserIndexRepository(stamps ? index : withoutStamps(index)), departuresOver({ members }));
}

const withSource = (person: PersonRecord, doc: Record<string, unknown>): PersonRecord => ({
  ...person,
  sources: { ...person.sources, [SOURCE]: { doc: { ...person.sources[SOURCE]?.doc, ...doc }, created: person.created, lastModified: new Date().toISOString() } },
});

/** Sets the source's fields unless the person has them already (a pure change, as mutate wants). */
const setting = (doc: Record<string, unknown>) => (person: PersonRecord | undefined) => {
  if (person === undefined) return { next: undefined, result: undefined };
  const unchanged = Object.entries(doc).every(([key, value]) => person.sources[SOURCE]?.doc[key] === value);
  return { next: unchanged ? undefined : withSource(person, doc), result: undefined };
};

/** What is wrong with the index rows of the person's values (those the round touched: `values`) after a round. */
async function indexProblems(id: string, values: string[]): Promise<string[]> {
  const person = await new PeopleRepository(tables.people).getById(id);
  if (person === undefined) return ['the person is gone'];
  const has = new Set(indexEntriesOf(person).map(partitionOf));
  const needs = new Set(requiredIndexEntriesOf(person).map(partitionOf));
  const problems: string[] = [];
  for (const value of values) {
    const partition = partitionOf({ scope: SOURCE, attr: 'externalId', value });
    const row = await tables.userindex.getEntity(partition, id).then(
      () => true,
      () => false,
    );
    if (needs.has(partition) && !row) problems.push(`no row for ${value}, which the person has`);
    if (!has.has(partition) && row) problems.push(`a row for ${value}, which the person lacks`);
  }
  return problems;
}

/** A person whose source has externalId `x`, and the three values of a round. */
async function freshPerson(): Promise<{ person: PersonRecord; x: string; y: string; z: string }> {
  const tag = randomBytes(4).toString('hex');
  const [x, y, z] = ['x', 'y', 'z'].map((name) => `${name}-${tag}`) as [string, string, string];
  const now = new Date().toISOString();
  const blank: PersonRecord = { id: randomBytes(16).toString('hex'), sources: {}, nameKeys: [], version: 0, created: now };
  const person = await storeOver(undefined, 0, true).create(withSource(blank, { externalId: x, userName: `${tag}@contoso.com` }));
  return { person, x, y, z };
}

type Round = (schedule: number[], stamps: boolean) => Promise<{ trace: number[]; problems: string[] }>;

/** One writer moves the value away (x → y) while another brings it back with a change of its own (x, and a title). */
const movedAwayAndBack: Round = async (schedule, stamps) => {
  const { person, x, y } = await freshPerson();
  const run = new Interleaving(schedule);
  const results = await run.run([
    () => storeOver(run, 0, stamps).mutate(person.id, setting({ externalId: y })),
    () => storeOver(run, 1, stamps).mutate(person.id, setting({ externalId: x, title: `t-${String(schedule.length)}` })),
  ]);
  expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled']);
  return { trace: run.trace, problems: await indexProblems(person.id, [x, y]) };
};

/** Three writers: x → y, y → x (a rename undone), and x → z, so claims for older versions can land late. */
const threeWay: Round = async (schedule, stamps) => {
  const { person, x, y, z } = await freshPerson();
  const run = new Interleaving(schedule);
  const results = await run.run([
    () => storeOver(run, 0, stamps).mutate(person.id, setting({ externalId: y })),
    () => storeOver(run, 1, stamps).mutate(person.id, setting({ externalId: x, title: 'back' })),
    () => storeOver(run, 2, stamps).mutate(person.id, setting({ externalId: z })),
  ]);
  expect(results.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
  return { trace: run.trace, problems: await indexProblems(person.id, [x, y, z]) };
};

async function failuresOf(round: Round, schedules: number[][], stamps: boolean): Promise<string[]> {
  const failures: string[] = [];
  for (const schedule of schedules) {
    const { trace, problems } = await round(schedule, stamps);
    if (problems.length > 0) failures.push(`${trace.join('')}: ${problems.join(', ')}`);
  }
  return failures;
}

async function twoWriterSchedules(): Promise<number[][]> {
  const { trace } = await movedAwayAndBack([], true);
  const calls = [0, 1].map((operation) => trace.filter((call) => call === operation).length) as [number, number];
  expect(Math.min(...calls)).toBeGreaterThan(2);
  return blockSchedules(calls, 16);
}

// Some sixty rounds of a dozen storage calls each, one call at a time: slow on a loaded machine.
const RACE_TIMEOUT_MS = 300_000;

describe('index rows of one person under concurrent writers (version-stamped claims, no re-assert)', () => {
  it('a value moved away and brought back: every order leaves exactly the rows of the values the person has', async () => {
    expect(await failuresOf(movedAwayAndBack, await twoWriterSchedules(), true)).toEqual([]);
  }, RACE_TIMEOUT_MS);

  it('three writers over three values: every order tried leaves exactly the rows of the values the person has', async () => {
    expect(await failuresOf(threeWay, shuffledSchedules(3, 60, 24), true)).toEqual([]);
  }, RACE_TIMEOUT_MS);

  it('without the stamps some order loses the row of a value the person has (the race is real)', async () => {
    const failures = await failuresOf(movedAwayAndBack, await twoWriterSchedules(), false);
    expect(failures.some((failure) => failure.includes('no row for'))).toBe(true);
  }, RACE_TIMEOUT_MS);
});
