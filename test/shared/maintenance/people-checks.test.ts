// The storage checker on the people and userindex tables: a directory built over HTTP checks clean; each corruption
// of a key row, a copy, a person's derived keys or an index row, injected by writing rows directly, is found with
// its kind, and a repair leaves a state that checks clean and answers the lookups again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requiredIndexEntriesOf } from '../../../shared/directory/user-view.js';
import { checkStorage } from '../../../shared/maintenance/storage-checker.js';
import { bucketOf, caseFoldKey } from '../../../shared/storage/keys.js';
import { type KeyRow, keyRowsOf, MAIN_PREFIX, partitionOfId, PeopleRepository } from '../../../shared/storage/people-repository.js';
import { personToProperties } from '../../../shared/storage/person-entity.js';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';
import { partitionOf as indexPartitionOf, UserIndexRepository } from '../../../shared/storage/user-index-repository.js';
import { filterQuery } from '../../support/test-host.js';
import { expectClean, expectFoundNotRepaired, expectFoundThenRepaired } from './checker-expectations.js';
import { buildDirectory, type DirectoryState } from './directory-state.js';

let state: DirectoryState;
let people: PeopleRepository;

beforeAll(async () => {
  state = await buildDirectory();
  people = new PeopleRepository(state.tables.people);
});
afterAll(async () => state.host.close());

async function person(id: string): Promise<PersonRecord> {
  const found = await people.getById(id);
  if (found === undefined) throw new Error(`person ${id} is missing`);
  return found;
}

/** The first key row of the directory's people that matches, with its person. */
async function keyRowWhere(match: (row: KeyRow) => boolean): Promise<{ person: PersonRecord; row: KeyRow }> {
  for (const id of [state.ada, state.bob, state.eve, state.fay, state.gil, state.gus]) {
    const holder = await person(id);
    const row = keyRowsOf(holder).find(match);
    if (row !== undefined) return { person: holder, row };
  }
  throw new Error('no key row of the directory has that shape');
}

/** A case-folded key, not held by anyone, whose bucket is (or is not) `bucket`. */
function freeKey(label: string, inBucket: (bucket: string) => boolean): string {
  for (let i = 0; ; i++) {
    const key = caseFoldKey(`${label}-${i}@nobody.example`);
    if (inBucket(bucketOf(key))) return key;
  }
}

const userNameEq = async (userName: string): Promise<string[]> =>
  ((await state.b.scim.get(`/Users?${filterQuery(`userName eq "${userName}"`)}`)).body.Resources as { id: string }[]).map((r) => r.id);

describe('a directory built through SCIM and the admin API', () => {
  it('checks clean, whatever the page size', async () => {
    const whole = await checkStorage(state.tables);
    expect(whole).toMatchObject({ problems: [], problemCount: 0, repaired: 0 });
    expect(whole.rowsChecked).toBeGreaterThan(50);
    const paged = await checkStorage(state.tables, { pageSize: 4 });
    expect(paged).toEqual(whole);
  });
});

describe('key rows', () => {
  it('restores a deleted pointer, so the login finds the user again', async () => {
    const { person: holder, row } = await keyRowWhere((r) => r.kind === 'n' && !r.colocated);
    await state.tables.people.deleteEntity(row.partitionKey, row.rowKey);
    expect(await people.findByUsernameKey(row.key)).toBeUndefined();
    const [problem] = await expectFoundThenRepaired(state.tables, ['missing-key-row']);
    expect(problem).toMatchObject({ table: 'people', partitionKey: row.partitionKey, rowKey: row.rowKey });
    expect(problem?.detail).toContain(holder.id);
    expect((await people.findByUsernameKey(row.key))?.id).toBe(holder.id);
  });

  it('restores a deleted co-located copy, so userName eq finds the user again', async () => {
    const gil = await person(state.gil);
    // Both rows userName eq reads: the shared UPN's (a copy beside gil, who was created under that name) and the
    // integration's own (a pointer).
    const rows = keyRowsOf(gil).filter((r) => r.kind !== 'n');
    const row = rows.find((r) => r.kind === 'u' && r.colocated);
    if (row === undefined) throw new Error('gil was created under his userName, so its row is a copy');
    for (const each of rows) await state.tables.people.deleteEntity(each.partitionKey, each.rowKey);
    expect(await userNameEq('gil.ck@contoso.com')).toEqual([]);
    await expectFoundThenRepaired(state.tables, ['missing-key-row']);
    expect(await userNameEq('gil.ck@contoso.com')).toEqual([gil.id]);
    const copy = await state.tables.people.getEntity(row.partitionKey, row.rowKey);
    expect(copy.v).toBe(gil.version);
  });

  it('rewrites a copy that differs from the main row it copies', async () => {
    const { person: holder, row } = await keyRowWhere((r) => r.colocated);
    await state.tables.people.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, v: holder.version + 5, hasCm: false }, 'Merge');
    const [problem] = await expectFoundThenRepaired(state.tables, ['stale-key-copy']);
    expect(problem).toMatchObject({ partitionKey: row.partitionKey, rowKey: row.rowKey });
    const copy = await state.tables.people.getEntity(row.partitionKey, row.rowKey);
    expect({ v: copy.v, hasCm: copy.hasCm }).toEqual({ v: holder.version, hasCm: holder.cm !== undefined });
  });

  it('gives each key row the shape its place needs: a copy beside the person, a pointer elsewhere', async () => {
    const copied = await keyRowWhere((r) => r.colocated);
    const pointed = await keyRowWhere((r) => !r.colocated);
    await state.tables.people.upsertEntity({ partitionKey: copied.row.partitionKey, rowKey: copied.row.rowKey, ref: copied.person.id }, 'Replace');
    await state.tables.people.upsertEntity(
      { partitionKey: pointed.row.partitionKey, rowKey: pointed.row.rowKey, ref: pointed.person.id, ...personToProperties(pointed.person) },
      'Replace',
    );
    const found = await expectFoundThenRepaired(state.tables, ['misshapen-key-row']);
    expect(found.map((p) => p.rowKey).sort()).toEqual([copied.row.rowKey, pointed.row.rowKey].sort());
    expect((await state.tables.people.getEntity(copied.row.partitionKey, copied.row.rowKey)).nameKeys).toBeTypeOf('string');
    expect((await state.tables.people.getEntity(pointed.row.partitionKey, pointed.row.rowKey)).nameKeys).toBeUndefined();
  });

  it('removes the marker of a person delete that stopped half-way', async () => {
    const id = `3c${'7'.repeat(30)}`;
    await state.tables.people.createEntity({ partitionKey: partitionOfId(id), rowKey: MAIN_PREFIX + id, id, v: 2, tomb: true });
    const found = await expectFoundThenRepaired(state.tables, ['leftover-tombstone']);
    expect(found.map((p) => p.rowKey)).toEqual([MAIN_PREFIX + id]);
    expect(await people.getById(id)).toBeUndefined();
  });

  it('deletes key rows that name nobody, a person without the key, or sit outside their key\u2019s bucket', async () => {
    const ada = await person(state.ada);
    const unheld = freeKey('unheld', () => true);
    const orphan = freeKey('orphan', () => true);
    const misplaced = { partitionKey: `b${bucketOf(unheld) === '00' ? '01' : '00'}`, rowKey: `u:${ada.nameKeys[0] ?? ''}` };
    await state.tables.people.createEntity({ partitionKey: `b${bucketOf(unheld)}`, rowKey: `u:${unheld}`, ref: ada.id });
    await state.tables.people.createEntity({ partitionKey: `b${bucketOf(orphan)}`, rowKey: `n:${orphan}`, ref: `${bucketOf(orphan)}${'0'.repeat(30)}` });
    await state.tables.people.createEntity({ ...misplaced, ref: ada.id });
    const found = await expectFoundThenRepaired(state.tables, ['stale-key-row']);
    expect(found.map((p) => p.rowKey).sort()).toEqual([`u:${unheld}`, `n:${orphan}`, misplaced.rowKey].sort());
    expect((await people.findByNameKey(ada.nameKeys[0] ?? ''))?.id).toBe(ada.id);
  });

  it('reports a key held by two people and leaves it for a human to resolve', async () => {
    const ada = await person(state.ada);
    const bucket = ada.id.startsWith('00') ? '01' : '00';
    const twin = { ...ada, id: `${bucket}${'1'.repeat(30)}` };
    await state.tables.people.createEntity({ partitionKey: partitionOfId(twin.id), rowKey: MAIN_PREFIX + twin.id, ...personToProperties(twin) });
    try {
      const duplicates = await expectFoundNotRepaired(state.tables, 'duplicate-key');
      expect(duplicates.every((p) => p.detail.includes(twin.id) && p.detail.includes(ada.id))).toBe(true);
      expect((await people.findByNameKey(ada.nameKeys[0] ?? ''))?.id).toBe(ada.id);
    } finally {
      await state.tables.people.deleteEntity(partitionOfId(twin.id), MAIN_PREFIX + twin.id);
    }
    // The repair gave the twin the index rows it lacked; with the twin gone they are stale.
    await expectFoundThenRepaired(state.tables, ['stale-index-row']);
  });

  it('reports a row no layout explains and leaves it alone', async () => {
    await state.tables.people.createEntity({ partitionKey: 'b00', rowKey: 'zz:unknown' });
    const [problem] = await expectFoundNotRepaired(state.tables, 'unknown-row');
    expect(problem).toMatchObject({ table: 'people', partitionKey: 'b00', rowKey: 'zz:unknown' });
    await state.tables.people.deleteEntity('b00', 'zz:unknown');
    await expectClean(state.tables);
  });
});

describe('derived keys', () => {
  it('re-derives the name keys a person lost, so the renamed userName is found again', async () => {
    const gus = await person(state.gus);
    // The rename is gus's record in one integration: its own (scoped) name, not the shared UPN.
    const renamed = (gus.scopedKeys ?? []).find((key) => key.endsWith(`:${caseFoldKey('gus.renamed.ck@Contoso.com')}`));
    expect(renamed).toBeDefined();
    await state.tables.people.updateEntity(
      { partitionKey: partitionOfId(gus.id), rowKey: MAIN_PREFIX + gus.id, scopedKeys: JSON.stringify((gus.scopedKeys ?? []).filter((key) => key !== renamed)) },
      'Merge',
    );
    expect(await userNameEq('gus.renamed.ck@contoso.com')).toEqual([]);
    const found = await checkStorage(state.tables);
    expect(found.problems.map((p) => p.kind)).toEqual(expect.arrayContaining(['person-keys-not-derived', 'stale-key-row']));
    await checkStorage(state.tables, { repair: true });
    await expectClean(state.tables);
    expect(await userNameEq('gus.renamed.ck@contoso.com')).toEqual([gus.id]);
  });
});

describe('index rows', () => {
  it('restores a deleted index row, so emails eq finds the user again', async () => {
    const gil = await person(state.gil);
    // B created gil in create mode: its work e-mail is the Content Manager's, so the cm row is the one it needs.
    const entry = requiredIndexEntriesOf(gil).find((e) => e.attr === 'email');
    if (entry?.scope !== 'cm') throw new Error('gil has a Content Manager e-mail, which B wrote');
    await state.tables.userindex.deleteEntity(indexPartitionOf(entry), gil.id);
    const [problem] = await expectFoundThenRepaired(state.tables, ['missing-index-row']);
    expect(problem).toMatchObject({ table: 'userindex', partitionKey: indexPartitionOf(entry), rowKey: gil.id });
    expect(await new UserIndexRepository(state.tables.userindex).find(entry)).toEqual([gil.id]);
  });

  it('deletes index rows of values a person does not have, and of people that do not exist', async () => {
    const eve = await person(state.eve);
    const wrongValue = indexPartitionOf({ scope: 'cm', attr: 'email', value: 'not-eve@nowhere.example' });
    const nobody = indexPartitionOf({ scope: state.a.id, attr: 'externalId', value: 'aad-nobody' });
    await state.tables.userindex.createEntity({ partitionKey: wrongValue, rowKey: eve.id });
    await state.tables.userindex.createEntity({ partitionKey: nobody, rowKey: `00${'2'.repeat(30)}` });
    const found = await expectFoundThenRepaired(state.tables, ['stale-index-row']);
    expect(found.map((p) => p.partitionKey).sort()).toEqual([nobody, wrongValue].sort());
  });
});
