// The value index against Azurite: rows matched by equals / oneOf / startsWith / present per person-id shard, values
// holding the separator, removal of an attribute's rows; and the write path's settling when two writers of one person
// finish their index writes out of order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonRecord } from '../../../../shared/directory/model/person-record.js';
import type { TargetingAttributeRecord, ValueMatch } from '../../../../shared/directory/model/targeting-attribute.js';
import { PersonStore } from '../../../../shared/directory/person-store.js';
import { TargetingValueIndexer } from '../../../../shared/directory/targeting/value-indexer.js';
import { AttributeValueIndexRepository } from '../../../../shared/storage/attribute-value-index-repository.js';
import { newPersonId, PeopleRepository } from '../../../../shared/storage/people-repository.js';
import { ALL_PERSON_SHARDS } from '../../../../shared/storage/person-id-shards.js';
import type { TableClients } from '../../../../shared/storage/table-clients.js';
import { UserIndexRepository } from '../../../../shared/storage/user-index-repository.js';
import { createFreshTables, dropTables } from '../../../support/fresh-tables.js';
import { departuresOver } from '../../../support/departures-over.js';

let tables: TableClients;
let index: AttributeValueIndexRepository;

beforeAll(async () => {
  tables = await createFreshTables();
  index = new AttributeValueIndexRepository(tables.targeting);
});
afterAll(async () => dropTables(tables));

async function everyone(attributeId: string, match: ValueMatch): Promise<string[]> {
  const ids: string[] = [];
  for (const shard of ALL_PERSON_SHARDS) ids.push(...(await index.peopleInShard(attributeId, shard, match)));
  return ids.sort();
}

describe('value index rows', () => {
  const people = Array.from({ length: 40 }, (_, i) => newPersonId(`p${i}`));
  const valueOf = (i: number): string => ['a', 'a|b', 'ab', 'b/c?#%'][i % 4] as string;

  beforeAll(async () => {
    await index.addMany(people.map((personId, i) => ({ attributeId: 'attr1', value: valueOf(i), personId })));
  });
  const having = (test: (value: string) => boolean): string[] => people.filter((_, i) => test(valueOf(i))).sort();

  it('matches exact values, never a value that continues past the separator', async () => {
    expect(await everyone('attr1', { kind: 'equals', value: 'a' })).toEqual(having((v) => v === 'a'));
    expect(await everyone('attr1', { kind: 'equals', value: 'a|b' })).toEqual(having((v) => v === 'a|b'));
    expect(await everyone('attr1', { kind: 'equals', value: 'b/c?#%' })).toEqual(having((v) => v === 'b/c?#%'));
  });

  it('matches one of several values, prefixes and presence', async () => {
    expect(await everyone('attr1', { kind: 'oneOf', values: ['ab', 'a', 'a', 'zz'] })).toEqual(having((v) => v === 'a' || v === 'ab'));
    // More values than one query names (seven ranges): read over several queries.
    const many = [...Array.from({ length: 12 }, (_, i) => `none${i}`), 'a|b', 'b/c?#%'];
    expect(await everyone('attr1', { kind: 'oneOf', values: many })).toEqual(having((v) => v === 'a|b' || v === 'b/c?#%'));
    expect(await everyone('attr1', { kind: 'startsWith', prefix: 'a' })).toEqual(having((v) => v.startsWith('a')));
    expect(await everyone('attr1', { kind: 'startsWith', prefix: 'a|' })).toEqual(having((v) => v.startsWith('a|')));
    expect(await everyone('attr1', { kind: 'present' })).toEqual([...people].sort());
    expect(await everyone('other', { kind: 'present' })).toEqual([]);
  });

  it('removes every row of an attribute', async () => {
    await index.addMany(people.map((personId) => ({ attributeId: 'gone', value: 'x', personId })));
    await index.removeAttribute('gone');
    expect(await everyone('gone', { kind: 'present' })).toEqual([]);
    expect(await everyone('attr1', { kind: 'present' })).toHaveLength(people.length);
  });
});

describe('the write path keeps the index in step', () => {
  const attribute: TargetingAttributeRecord = {
    id: 'dept',
    name: 'Department',
    integrationId: 'int1',
    path: 'department',
    enabled: true,
    created: '2026-01-01T00:00:00.000Z',
    lastModified: '2026-01-01T00:00:00.000Z',
    backfill: { status: 'done', indexedPeople: 0 },
  };
  const withDepartment = (person: PersonRecord, department: string): PersonRecord => ({
    ...person,
    sources: { int1: { doc: { userName: 'race@contoso.com', department }, created: person.created, lastModified: person.created } },
  });

  it('two writers finishing their index writes out of order leave only the last value', async () => {
    const people = new PeopleRepository(tables.people);
    const unobserved = new PersonStore(people, new UserIndexRepository(tables.userindex), departuresOver(tables));
    const indexer = new TargetingValueIndexer({ list: () => Promise.resolve([attribute]) }, index, people);
    const start: PersonRecord = { id: newPersonId('race'), sources: {}, nameKeys: [], version: 1, created: '2026-01-01T00:00:00.000Z' };
    const v1 = await unobserved.create(withDepartment(start, 'Alpha'));
    await indexer.written(v1.id, undefined, v1);
    // Writer 1 stores Beta, writer 2 then stores Gamma and indexes it; writer 1 indexes last, from what it wrote.
    const v2 = await unobserved.save(v1, withDepartment(v1, 'Beta'));
    const v3 = await unobserved.save(v2, withDepartment(v2, 'Gamma'));
    await indexer.written(v1.id, v2, v3);
    await indexer.written(v1.id, v1, v2);
    expect(await everyone('dept', { kind: 'present' })).toEqual([v1.id]);
    expect(await everyone('dept', { kind: 'equals', value: 'gamma' })).toEqual([v1.id]);
    expect(await everyone('dept', { kind: 'oneOf', values: ['alpha', 'beta'] })).toEqual([]);

    // The person deleted: its rows go.
    await unobserved.remove(v3);
    await indexer.written(v1.id, v3, undefined);
    expect(await everyone('dept', { kind: 'present' })).toEqual([]);
  });

  it('a write that changes no targeted value writes no index row', async () => {
    const calls: unknown[] = [];
    const indexer = new TargetingValueIndexer({ list: () => Promise.resolve([attribute]) }, { change: (...args) => Promise.resolve(void calls.push(args)) }, { getById: () => Promise.resolve(undefined) });
    const person: PersonRecord = { id: 'p', sources: { int1: { doc: { department: 'A', title: 'x' }, created: '', lastModified: '' } }, nameKeys: [], version: 1, created: '' };
    await indexer.written('p', person, { ...person, sources: { int1: { doc: { department: 'a', title: 'y' }, created: '', lastModified: '' } }, version: 2 });
    expect(calls).toEqual([]);
  });
});
