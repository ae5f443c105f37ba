// findPeopleByKeys (people-batch-read.ts) against Azurite: for every kind of key row the people table can hold (a
// co-located copy, a pointer to a person elsewhere, a pointer or copy whose person no longer holds the key, a pointer
// to nobody, a copy outliving its main row, a tombstoned main row, no row at all), the batch answers exactly what
// PeopleRepository.findByKey answers for that key alone, verified or not; and it costs queries per partition, not reads
// per key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';
import { bucketOf, ROW_KEYS_PER_QUERY } from '../../../shared/storage/keys.js';
import { findPeopleByKeys, readPeople } from '../../../shared/storage/people-batch-read.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import { TOMBSTONE_PROPERTY } from '../../../shared/storage/person-key-rows.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { countTableCalls } from '../../support/table-method-wrap.js';
import { cmPerson, idInBucket, keyOutsideBucket, otherBucket, readKeyRow, stagedPerson, uniqueKey } from '../../support/people-fixtures.js';

let tables: TableClients;
let repo: PeopleRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new PeopleRepository(tables.people);
});
afterAll(async () => {
  await dropTables(tables);
});

/** A unique name key in a given bucket. */
function keyInBucket(label: string, bucket: string): string {
  for (;;) {
    const key = uniqueKey(label);
    if (bucketOf(key) === bucket) return key;
  }
}

const summary = (person: PersonRecord | undefined): unknown => (person === undefined ? undefined : { id: person.id, version: person.version, etag: person.etag });

/** Every shape of key row, with the name keys (and username keys) that reach each. */
async function seedEveryShape(): Promise<{ nameKeys: string[]; usernameKeys: string[] }> {
  const nameKeys: string[] = [];
  const usernameKeys: string[] = [];
  // Co-located copies, many in one partition (more than one query's worth) and some spread.
  for (let i = 0; i < ROW_KEYS_PER_QUERY + 3; i++) {
    const person = await repo.create(cmPerson(keyInBucket('same', '2c')));
    nameKeys.push(person.nameKeys[0] as string);
    usernameKeys.push(person.usernameKey as string);
  }
  for (let i = 0; i < 6; i++) {
    const person = await repo.create(cmPerson(uniqueKey('spread')));
    nameKeys.push(person.nameKeys[0] as string);
    usernameKeys.push(person.usernameKey as string);
  }
  // A pointer to a person in another bucket.
  const pointed = uniqueKey('pointed');
  await repo.create(stagedPerson(pointed, idInBucket(otherBucket(bucketOf(pointed)))));
  nameKeys.push(pointed);
  // A copy kept while the person changed since (the copy is refreshed with it).
  const changed = await repo.create(cmPerson(uniqueKey('changed')));
  await repo.update(changed, { ...changed, cm: { ...changed.cm!, displayName: 'Changed' } });
  nameKeys.push(changed.nameKeys[0] as string);
  // A pointer to a person that no longer holds the key, and one to nobody.
  const former = await repo.create(cmPerson(uniqueKey('former')));
  const stale = uniqueKey('stale');
  await tables.people.createEntity({ partitionKey: `b${bucketOf(stale)}`, rowKey: `u:${stale}`, ref: former.id });
  const ghost = uniqueKey('ghost');
  await tables.people.createEntity({ partitionKey: `b${bucketOf(ghost)}`, rowKey: `u:${ghost}`, ref: idInBucket('2a') });
  nameKeys.push(stale, ghost);
  // A copy whose main row is gone (a crash between the delete's steps), and one whose main row is a tombstone.
  const orphan = await repo.create(cmPerson(uniqueKey('orphan')));
  await tables.people.deleteEntity(`b${orphan.id.slice(0, 2)}`, `p:${orphan.id}`);
  const buried = await repo.create(cmPerson(uniqueKey('buried')));
  await tables.people.updateEntity({ partitionKey: `b${buried.id.slice(0, 2)}`, rowKey: `p:${buried.id}`, [TOMBSTONE_PROPERTY]: true }, 'Merge');
  nameKeys.push(orphan.nameKeys[0] as string, buried.nameKeys[0] as string);
  usernameKeys.push(orphan.usernameKey as string, buried.usernameKey as string);
  // A person holding a key elsewhere whose copy row was left naming it under a key it no longer holds.
  const moved = await repo.create(cmPerson(uniqueKey('moved')));
  const left = keyInBucket('left', moved.id.slice(0, 2));
  const copy = await readKeyRow(tables, 'u', moved.nameKeys[0] as string);
  await tables.people.createEntity({ ...copy, partitionKey: `b${moved.id.slice(0, 2)}`, rowKey: `u:${left}` });
  nameKeys.push(left);
  // No row at all, and one key given twice.
  nameKeys.push(uniqueKey('nobody'), nameKeys[0] as string);
  return { nameKeys, usernameKeys };
}

describe('findPeopleByKeys', () => {
  it('answers for each key what findByKey answers alone, verified or not, for every shape of key row', async () => {
    const { nameKeys, usernameKeys } = await seedEveryShape();
    for (const verified of [false, true]) {
      const byName = await findPeopleByKeys(tables.people, 'u', nameKeys, verified);
      const byUsername = await findPeopleByKeys(tables.people, 'n', usernameKeys, verified);
      for (const key of nameKeys) expect([key, verified, summary(byName.get(key))]).toEqual([key, verified, summary(await repo.findByNameKey(key, { verified }))]);
      for (const key of usernameKeys) expect([key, verified, summary(byUsername.get(key))]).toEqual([key, verified, summary(await repo.findByUsernameKey(key, { verified }))]);
      // Not vacuous: most keys find someone, and some (stale, ghost, nobody, and verified: orphan, buried) find nobody.
      expect(byName.size).toBeGreaterThan(ROW_KEYS_PER_QUERY + 6);
      expect(byName.size).toBeLessThan(new Set(nameKeys).size);
    }
    const verified = await findPeopleByKeys(tables.people, 'u', nameKeys, true);
    expect([...verified.values()].every((person) => person.etag !== undefined)).toBe(true);
  });

  it('reads 14 key rows to a query per partition, then the main rows likewise, and never one row at a time', async () => {
    const people = [];
    for (let i = 0; i < 2 * ROW_KEYS_PER_QUERY + 1; i++) people.push(await repo.create(cmPerson(keyInBucket('bulk', '3d'))));
    const elsewhere = await repo.create(cmPerson(keyOutsideBucket('elsewhere', '3d')));
    const keys = [...people, elsewhere].map((person) => person.nameKeys[0] as string);
    const { table, calls } = countTableCalls(tables.people, ['getEntity', 'listEntities']);
    const found = await findPeopleByKeys(table, 'u', keys, true);
    expect(found.size).toBe(keys.length);
    // Partition b3d: 29 rows in 3 queries, and 29 main rows in 3 more; the other person: 1 and 1.
    expect(calls).toEqual({ getEntity: 0, listEntities: 8 });
    const unverified = countTableCalls(tables.people, ['getEntity', 'listEntities']);
    await findPeopleByKeys(unverified.table, 'u', keys, false);
    expect(unverified.calls).toEqual({ getEntity: 0, listEntities: 4 });
  });

  it('readPeople leaves out malformed, missing and tombstoned ids', async () => {
    const live = await repo.create(cmPerson(uniqueKey('live')));
    const buried = await repo.create(cmPerson(uniqueKey('buried')));
    await tables.people.updateEntity({ partitionKey: `b${buried.id.slice(0, 2)}`, rowKey: `p:${buried.id}`, [TOMBSTONE_PROPERTY]: true }, 'Merge');
    const found = await readPeople(tables.people, [live.id, buried.id, idInBucket('11'), 'not an id', "0a' or RowKey ne '"]);
    expect([...found.keys()]).toEqual([live.id]);
    expect(found.get(live.id)?.etag).toBe((await repo.getById(live.id))?.etag);
  });
});
