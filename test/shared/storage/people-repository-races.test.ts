// PeopleRepository under races the single-interleaving tests cannot see: a delete from a stale read (defect 1 of the
// integrity review) and the clean-up of a writer that lost a race (defect 2). Each case runs many rounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, caseFoldKey } from '../../../shared/storage/keys.js';
import { PeopleRepository } from '../../../shared/storage/people-repository.js';
import { ConcurrentUpdateError } from '../../../shared/storage/storage-errors.js';
import type { TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';
import { idInBucket, keyOutsideBucket, NOW, readKeyRow, stagedPerson, uniqueKey } from '../../support/people-fixtures.js';

let tables: TableClients;
let repo: PeopleRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  repo = new PeopleRepository(tables.people);
});
afterAll(async () => {
  await dropTables(tables);
});

describe('PeopleRepository: deletes are guarded by the ETag of what was read', () => {
  it('refuses to delete a staged record that an import linked after it was read, and leaves the linked user whole', async () => {
    const key = uniqueKey('linked');
    for (const bucket of [bucketOf(key), idInBucket('00').slice(0, 2) === bucketOf(key) ? '01' : '00']) {
      const staged = await repo.create(stagedPerson(key, idInBucket(bucket)));
      const read = (await repo.getById(staged.id))!;
      const usernameKey = caseFoldKey(`login-${read.id}`);
      const linked = await repo.update(read, {
        ...read,
        cm: { username: `login-${read.id}`, upn: key, createdBy: 'admin', created: NOW, lastModified: NOW },
        usernameKey,
      });
      await expect(repo.delete(read)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await repo.getById(staged.id))?.version).toBe(linked.version);
      expect((await repo.findByNameKey(key))?.id).toBe(staged.id);
      expect((await repo.findByUsernameKey(usernameKey))?.id).toBe(staged.id);
      await repo.delete((await repo.getById(staged.id))!);
      expect(await readKeyRow(tables, 'u', key)).toBeUndefined();
      expect(await readKeyRow(tables, 'n', usernameKey)).toBeUndefined();
    }
  });

  it('never lets a delete from a stale read remove the person a concurrent update wrote', async () => {
    for (let round = 0; round < 10; round++) {
      const key = uniqueKey('race-delete');
      const person = await repo.create(stagedPerson(key, idInBucket(round % 2 === 0 ? bucketOf(key) : '00')));
      const read = (await repo.getById(person.id))!;
      const [updated, deleted] = await Promise.allSettled([
        repo.update(read, { ...read, sources: { ...read.sources, int2: { doc: { userName: key }, created: NOW, lastModified: NOW } } }),
        repo.delete(read),
      ]);
      // Exactly one of the two wins: either the update is stored, or the person is gone with all its rows.
      expect([updated.status, deleted.status].sort()).toEqual(['fulfilled', 'rejected']);
      const stored = await repo.getById(person.id);
      if (updated.status === 'fulfilled') {
        expect(stored?.sources.int2).toBeDefined();
        expect((await repo.findByNameKey(key))?.id).toBe(person.id);
      } else {
        expect(stored).toBeUndefined();
        expect(await repo.findByNameKey(key)).toBeUndefined();
        expect(await readKeyRow(tables, 'u', key)).toBeUndefined();
      }
    }
  });
});

describe('PeopleRepository: a writer that lost a race removes only what it created', () => {
  it.each(['pointer', 'co-located copy'])('two identical concurrent renames leave the new name findable (%s)', async (layout) => {
    for (let round = 0; round < 12; round++) {
      const oldKey = uniqueKey('before');
      const person = await repo.create(stagedPerson(oldKey, idInBucket(bucketOf(oldKey))));
      const newKey = layout === 'pointer' ? keyOutsideBucket('after', person.id.slice(0, 2)) : sameBucketKey(person.id.slice(0, 2));
      const renamed = { ...person, nameKeys: [newKey], sources: { int1: { doc: { userName: newKey }, created: NOW, lastModified: NOW } } };
      const results = await Promise.allSettled([repo.update(person, renamed), repo.update(person, renamed)]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toBeInstanceOf(ConcurrentUpdateError);
      expect((await repo.findByNameKey(newKey))?.id).toBe(person.id);
      expect(await repo.findByNameKey(oldKey)).toBeUndefined();
    }
  });

  it('a stale rename that fails keeps the pointer a committed rename of the same key holds', async () => {
    for (let round = 0; round < 6; round++) {
      const oldKey = uniqueKey('kept');
      const person = await repo.create(stagedPerson(oldKey, idInBucket(bucketOf(oldKey))));
      const newKey = keyOutsideBucket('kept-new', person.id.slice(0, 2));
      const renamed = { ...person, nameKeys: [oldKey, newKey] };
      const winner = await repo.update(person, renamed);
      // A retry of the same rename from the old read: it must fail and must not take the winner's pointer with it.
      await expect(repo.update(person, renamed)).rejects.toBeInstanceOf(ConcurrentUpdateError);
      expect((await repo.findByNameKey(newKey))?.id).toBe(winner.id);
      expect(await readKeyRow(tables, 'u', newKey)).toMatchObject({ ref: person.id });
    }
  });
});

function sameBucketKey(bucket: string): string {
  for (;;) {
    const key = uniqueKey('after');
    if (bucketOf(key) === bucket) return key;
  }
}
