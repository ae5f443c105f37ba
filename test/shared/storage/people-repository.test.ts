// PeopleRepository against Azurite: main rows, co-located copies and pointers for name keys, ETags, paging.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../../shared/storage/keys.js';
import { newPersonId, PeopleRepository } from '../../../shared/storage/people-repository.js';
import { MAX_SOURCE_JSON_CHARS, RecordTooLargeError } from '../../../shared/storage/person-entity.js';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';
import { ConcurrentUpdateError, KeyTakenError } from '../../../shared/storage/storage-errors.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { cmPerson, idInBucket, keyOutsideBucket, otherBucket, readKeyRow, stagedPerson, uniqueKey } from '../../support/people-fixtures.js';

const allTables: TableClients[] = [];
let tables: TableClients;
let repo: PeopleRepository;

/** A fresh set of tables (own prefix) in the shared Azurite. */
async function freshTables(): Promise<TableClients> {
  const clients = await createFreshTables();
  allTables.push(clients);
  return clients;
}

beforeAll(async () => {
  tables = await freshTables();
  repo = new PeopleRepository(tables.people);
});
afterAll(async () => {
  await dropTables(...allTables);
});

const keyRow = (kind: 'u' | 'n', key: string): Promise<Record<string, unknown> | undefined> => readKeyRow(tables, kind, key);

describe('PeopleRepository: create and the three read paths', () => {
  it('finds a person by id, by name key (co-located copy, one read) and by username key', async () => {
    const key = uniqueKey('alice');
    const created = await repo.create(cmPerson(key));
    expect(created.version).toBe(1);
    expect(created.etag).toBeDefined();

    const byId = await repo.getById(created.id);
    expect(byId).toMatchObject({ id: created.id, nameKeys: [key], version: 1, cm: { upn: key } });
    expect(byId?.etag).toBe(created.etag);

    // The name row lives in the person's own partition and is a full copy, not a pointer.
    expect(`b${bucketOf(key)}`).toBe(`b${created.id.slice(0, 2)}`);
    const row = await keyRow('u', key);
    expect(typeof row?.nameKeys).toBe('string');
    expect(row?.ref).toBe(created.id);

    const byName = await repo.findByNameKey(key);
    expect(byName).toMatchObject({ id: created.id, cm: { upn: key }, version: 1 });
    expect(byName?.etag).toBeUndefined(); // a copy's ETag is not the main row's

    const byLogin = await repo.findByUsernameKey(created.usernameKey ?? '');
    expect(byLogin?.id).toBe(created.id);
  });

  it('answers undefined for unknown and malformed ids and keys', async () => {
    expect(await repo.getById(idInBucket('3f'))).toBeUndefined();
    expect(await repo.getById('not an id/..')).toBeUndefined();
    expect(await repo.getById('')).toBeUndefined();
    expect(await repo.findByNameKey(uniqueKey('nobody'))).toBeUndefined();
    expect(await repo.findByUsernameKey(uniqueKey('nobody'))).toBeUndefined();
  });

  it('finds a person through a pointer when its name key lands in another bucket', async () => {
    const key = uniqueKey('bob');
    const id = idInBucket(otherBucket(bucketOf(key)));
    const created = await repo.create(stagedPerson(key, id));
    const row = await keyRow('u', key);
    expect(row).toMatchObject({ ref: id });
    expect(row?.nameKeys).toBeUndefined();
    const found = await repo.findByNameKey(key);
    expect(found?.id).toBe(id);
    expect(found?.etag).toBe(created.etag); // read through to the main row
  });
});

describe('PeopleRepository: updates', () => {
  it('moves name keys on a UPN change: new keys are found, old key rows are removed', async () => {
    const oldUpn = uniqueKey('old');
    const newUpn = uniqueKey('new');
    const id = idInBucket(bucketOf(oldUpn));
    const remote = keyOutsideBucket('remote', bucketOf(oldUpn));
    const created = await repo.create(cmPerson(oldUpn, { id, extra: [remote] }));
    expect((await repo.findByNameKey(remote))?.id).toBe(id);

    const updated = await repo.update(created, { ...created, cm: { ...created.cm!, upn: newUpn }, nameKeys: [newUpn] });
    expect(updated.version).toBe(2);
    expect((await repo.findByNameKey(newUpn))?.id).toBe(id);
    expect(await repo.findByNameKey(oldUpn)).toBeUndefined();
    expect(await repo.findByNameKey(remote)).toBeUndefined();
    expect(await keyRow('u', oldUpn)).toBeUndefined();
    expect(await keyRow('u', remote)).toBeUndefined();
    expect((await repo.getById(id))?.nameKeys).toEqual([newUpn]);
  });

  it('refreshes co-located copies when a kept key stays', async () => {
    const key = uniqueKey('copy');
    const created = await repo.create(cmPerson(key));
    await repo.update(created, { ...created, cm: { ...created.cm!, displayName: 'Copy Refreshed' } });
    const found = await repo.findByNameKey(key);
    expect(found?.cm?.displayName).toBe('Copy Refreshed');
    expect(found?.version).toBe(2);
  });

  it('throws KeyTakenError for a key held by another live person and writes nothing', async () => {
    const shared = uniqueKey('shared');
    const holder = await repo.create(cmPerson(shared));
    // Co-located with the key (same bucket) and through a pointer (other bucket).
    for (const id of [idInBucket(bucketOf(shared)), idInBucket(otherBucket(bucketOf(shared)))]) {
      await expect(repo.create(stagedPerson(shared, id))).rejects.toBeInstanceOf(KeyTakenError);
      expect(await repo.getById(id)).toBeUndefined();
    }
    const other = await repo.create(cmPerson(uniqueKey('other')));
    await expect(repo.update(other, { ...other, nameKeys: [...other.nameKeys, shared] })).rejects.toBeInstanceOf(KeyTakenError);
    expect((await repo.findByNameKey(shared))?.id).toBe(holder.id);
    expect((await repo.getById(other.id))?.version).toBe(1);
  });

  it('throws KeyTakenError when the username key is held', async () => {
    const first = await repo.create(cmPerson(uniqueKey('login1'), { username: `Same.Login${uniqueKey("n").slice(0, 8)}` }));
    const clash = cmPerson(uniqueKey('login2'), { username: first.cm!.username.toUpperCase() });
    await expect(repo.create(clash)).rejects.toBeInstanceOf(KeyTakenError);
    expect((await repo.findByUsernameKey(first.usernameKey!))?.id).toBe(first.id);
  });

  it('throws ConcurrentUpdateError on a stale ETag', async () => {
    const created = await repo.create(cmPerson(uniqueKey('etag')));
    await repo.update(created, { ...created, cm: { ...created.cm!, displayName: 'first' } });
    await expect(repo.update(created, { ...created, cm: { ...created.cm!, displayName: 'second' } })).rejects.toBeInstanceOf(
      ConcurrentUpdateError,
    );
    expect((await repo.getById(created.id))?.cm?.displayName).toBe('first');
  });

  it('leaves no pointer behind when a stale update that added a remote key fails', async () => {
    const key = uniqueKey('stale-add');
    const created = await repo.create(cmPerson(key));
    const current = await repo.update(created, { ...created, cm: { ...created.cm!, displayName: 'moved on' } });
    const remote = keyOutsideBucket('remote-add', created.id.slice(0, 2));
    await expect(repo.update(created, { ...created, nameKeys: [key, remote] })).rejects.toBeInstanceOf(ConcurrentUpdateError);
    expect(await keyRow('u', remote)).toBeUndefined();
    expect(await repo.findByNameKey(remote)).toBeUndefined();
    expect((await repo.getById(created.id))?.version).toBe(current.version);
  });
});

describe('PeopleRepository: stale key rows', () => {
  it('ignores a pointer to a person that no longer holds the key, and a later create reclaims it', async () => {
    const key = uniqueKey('stale');
    const former = await repo.create(cmPerson(uniqueKey('former')));
    await tables.people.createEntity({ partitionKey: `b${bucketOf(key)}`, rowKey: `u:${key}`, ref: former.id });
    expect(await repo.findByNameKey(key)).toBeUndefined();

    const id = idInBucket(otherBucket(bucketOf(key)));
    await repo.create(stagedPerson(key, id));
    expect(await keyRow('u', key)).toMatchObject({ ref: id });
    expect((await repo.findByNameKey(key))?.id).toBe(id);
  });

  it('ignores a pointer to a person that does not exist, and a co-located create reclaims it', async () => {
    const key = uniqueKey('ghost');
    await tables.people.createEntity({ partitionKey: `b${bucketOf(key)}`, rowKey: `u:${key}`, ref: idInBucket('2a') });
    expect(await repo.findByNameKey(key)).toBeUndefined();

    const created = await repo.create(cmPerson(key)); // co-located: the row becomes the copy
    const row = await keyRow('u', key);
    expect(row?.ref).toBe(created.id);
    expect(typeof row?.nameKeys).toBe('string');
    expect((await repo.findByNameKey(key))?.id).toBe(created.id);
  });
});

describe('PeopleRepository: delete', () => {
  it('removes the main row, the copies, the pointers and the username row', async () => {
    const upn = uniqueKey('gone');
    const id = idInBucket(bucketOf(upn));
    const remote = keyOutsideBucket('gone-remote', bucketOf(upn));
    const created = await repo.create(cmPerson(upn, { id, extra: [remote] }));
    const current = (await repo.getById(created.id))!;
    await repo.delete(current);
    expect(await repo.getById(id)).toBeUndefined();
    expect(await repo.findByNameKey(upn)).toBeUndefined();
    expect(await repo.findByNameKey(remote)).toBeUndefined();
    expect(await repo.findByUsernameKey(created.usernameKey!)).toBeUndefined();
    expect(await keyRow('u', upn)).toBeUndefined();
    expect(await keyRow('u', remote)).toBeUndefined();
    expect(await keyRow('n', created.usernameKey!)).toBeUndefined();
    // The keys are free again.
    await expect(repo.create(cmPerson(upn))).resolves.toMatchObject({ version: 1 });
  });
});

describe('PeopleRepository: concurrent creates', () => {
  it.each([
    ['co-located name key', 'race', (key: string) => newPersonId(key)],
    ['name key when it needs a pointer', 'race-pointer', (key: string) => idInBucket(otherBucket(bucketOf(key)))],
  ])('lets exactly one of several creates of the same %s win', async (_, prefix, idFor) => {
    const key = uniqueKey(prefix);
    const attempts = Array.from({ length: 6 }, () => stagedPerson(key, idFor(key)));
    const results = await Promise.allSettled(attempts.map((p) => repo.create(p)));
    const winners = results.filter((r) => r.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(KeyTakenError);
    const found = await repo.findByNameKey(key);
    expect(found?.id).toBe((winners[0] as PromiseFulfilledResult<PersonRecord>).value.id);
  });
});

describe('PeopleRepository: a pointer claimed by a write still in flight', () => {
  // The first writer claims its pointers one after another, the shared key first: the second writer sees that pointer
  // while the first writer's person does not hold the key yet. Whatever the interleaving, one holder must remain.
  function claimFirst(key: string, bucket: string, round: number): string[] {
    const extra: string[] = [];
    while (extra.length < 5) extra.push(keyOutsideBucket(`extra${round}`, bucket));
    return [key, ...extra];
  }

  async function holdersOf(key: string, ids: string[]): Promise<string[]> {
    const people = await Promise.all(ids.map((id) => repo.getById(id)));
    return people.filter((p) => p?.nameKeys.includes(key)).map((p) => p!.id);
  }

  it('lets exactly one of two creates win and leaves it findable', async () => {
    for (let round = 0; round < 8; round++) {
      const key = uniqueKey('inflight');
      const bucket = otherBucket(bucketOf(key));
      const slow = stagedPerson(key, idInBucket(bucket));
      slow.nameKeys = claimFirst(key, bucket, round);
      const fast = stagedPerson(key, idInBucket(bucket));
      const results = await Promise.allSettled([repo.create(slow), repo.create(fast)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(KeyTakenError);
      const winner = (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<PersonRecord>).value;
      expect(await holdersOf(key, [slow.id, fast.id])).toEqual([winner.id]);
      expect((await repo.findByNameKey(key))?.id).toBe(winner.id);
    }
  });

  it.each(['pointer', 'co-located copy'])('never leaves two holders when an update adding the key races a create (rival: %s)', async (rivalRow) => {
    for (let round = 0; round < 8; round++) {
      const key = uniqueKey('inflight-update');
      const bucket = otherBucket(bucketOf(key));
      const own = uniqueKey('own');
      const existing = await repo.create(stagedPerson(own, idInBucket(bucket)));
      const rival = stagedPerson(key, rivalRow === 'pointer' ? idInBucket(bucket) : newPersonId(key));
      const results = await Promise.allSettled([
        repo.update(existing, { ...existing, nameKeys: [own, ...claimFirst(key, bucket, round)] }),
        repo.create(rival),
      ]);
      for (const r of results) {
        if (r.status === 'rejected') expect([KeyTakenError, ConcurrentUpdateError].some((type) => r.reason instanceof type)).toBe(true);
      }
      const holders = await holdersOf(key, [existing.id, rival.id]);
      expect(holders).toHaveLength(1);
      expect((await repo.findByNameKey(key))?.id).toBe(holders[0]);
    }
  });
});

describe('PeopleRepository: page and scan', () => {
  it('pages through all people or only Content Manager users', async () => {
    const local = new PeopleRepository((await freshTables()).people);
    const cmIds = new Set<string>();
    const stagedIds = new Set<string>();
    for (let i = 0; i < 7; i++) cmIds.add((await local.create(cmPerson(uniqueKey('cm')))).id);
    for (let i = 0; i < 5; i++) {
      const key = uniqueKey('staged');
      stagedIds.add((await local.create(stagedPerson(key, newPersonId(key)))).id);
    }
    const all: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await local.page({ pageSize: 5, ...(token === undefined ? {} : { continuationToken: token }) });
      expect(page.items.length).toBeLessThanOrEqual(5);
      all.push(...page.items.map((p) => p.id));
      token = page.continuationToken;
      pages++;
    } while (token !== undefined);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(all)).toEqual(new Set([...cmIds, ...stagedIds]));
    expect(all).toHaveLength(12); // key rows (copies, pointers) are not people

    const cmOnly: string[] = [];
    for await (const p of local.scan({ cmOnly: true, pageSize: 3 })) cmOnly.push(p.id);
    expect(new Set(cmOnly)).toEqual(cmIds);
    expect(cmOnly).toHaveLength(7);
    const everyone: PersonRecord[] = [];
    for await (const p of local.scan()) everyone.push(p);
    expect(everyone).toHaveLength(12);
    expect(everyone.every((p) => p.etag !== undefined && p.version === 1)).toBe(true);
  });
});

describe('PeopleRepository: large source documents', () => {
  // 35,000 emoji are 70,000 UTF-16 code units; with and without one padding character, one of the two documents has
  // a surrogate pair straddling each 30,000-character chunk boundary.
  it.each(['', 'x'])('round-trips a source document of about 70,000 characters (padding %j)', async (pad) => {
    const key = uniqueKey('big');
    const person = stagedPerson(key, newPersonId(key));
    person.sources.int1!.doc = { userName: key, note: 'é'.repeat(100), blob: `${pad}${'😀'.repeat(35_000)}` };
    const json = JSON.stringify(person.sources.int1);
    expect(json.length).toBeGreaterThan(70_000);
    expect(json.length).toBeLessThanOrEqual(MAX_SOURCE_JSON_CHARS);
    const saved = await repo.create(person);
    expect((await repo.getById(saved.id))?.sources.int1).toEqual(person.sources.int1);
    expect((await repo.findByNameKey(key))?.sources.int1).toEqual(person.sources.int1);
  });

  it('refuses a source document over MAX_SOURCE_JSON_CHARS with RecordTooLargeError and writes nothing', async () => {
    const key = uniqueKey('huge');
    const person = stagedPerson(key, newPersonId(key));
    person.sources.int1!.doc = { userName: 'huge', blob: 'x'.repeat(MAX_SOURCE_JSON_CHARS) };
    await expect(repo.create(person)).rejects.toBeInstanceOf(RecordTooLargeError);
    expect(await repo.getById(person.id)).toBeUndefined();
    expect(await repo.findByNameKey(key)).toBeUndefined();
  });
});
