// The organisation's people (Content Manager users and staged records) in one table, laid out so that every lookup
// Entra makes is one point read:
//   main row   PK b<bucket>  RK p:<id>          the person (the id starts with its bucket)
//   name row   PK b<bucket>  RK u:<key>         the organisation-wide case-folded userName (UPN, or a staged name)
//   login row  PK b<bucket>  RK n:<key>         the Content Manager username, for admin upserts
//   own name   PK b<bucket>  RK s:<int>:<key>   an integration's own userName for the person
// A key row whose bucket equals the id's bucket lives in the main row's partition and is written in the person's own
// entity-group transactions: a full copy of the person for `u` and `n` (a match by userName costs one read), a
// pointer ({ref: id}) for `s`. Other key rows are pointers inserted before the main write and removed after it
// (person-key-rows.ts); readers verify every key row against the person it names, so a pointer left behind by a
// crash is ignored and later reclaimed.
import { randomBytes } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { PersonRecord } from '../directory/model/person-record.js';
import type { FindOptions, PeoplePage, PeopleStore } from '../directory/model/stores.js';
import { bucketOf } from './keys.js';
import { findPeopleByKeys } from './people-batch-read.js';
import { keyRowChanges, PeopleBatchUpdate, personWriteActions } from './people-batch-update.js';
import { personFromEntity, type PersonProperties, sourcePropertyOf } from './person-entity.js';
import { type Entity, isPersonId, isTombstone, type KeyKind, type KeyRow, keyRowOf, keyRowsOf, MAIN_PREFIX, partitionOfId, PersonKeyRows, scopedKey, TOMBSTONE_PROPERTY } from './person-key-rows.js';
import { ConcurrentUpdateError, isConflict, isNotFound, isPreconditionFailed, KeyTakenError } from './storage-errors.js';

export { holdsKey, type KeyKind, type KeyRow, keyRowsOf, MAIN_PREFIX, partitionOfId, scopedKey } from './person-key-rows.js';


export function newPersonId(primaryKey: string): string {
  return bucketOf(primaryKey) + randomBytes(15).toString('hex');
}


export class PeopleRepository implements PeopleStore {
  private readonly keys: PersonKeyRows;
  private readonly batch: PeopleBatchUpdate;

  constructor(private readonly table: TableClient) {
    this.keys = new PersonKeyRows(table, (id) => this.getById(id));
    this.batch = new PeopleBatchUpdate(table, this.keys);
  }

  async getById(id: string): Promise<PersonRecord | undefined> {
    if (!isPersonId(id)) return undefined;
    return this.readMain(partitionOfId(id), id);
  }

  /** The person holding a case-folded userName: one read when the key row is co-located with the person. */
  async findByNameKey(key: string, options: FindOptions = {}): Promise<PersonRecord | undefined> {
    return this.findByKey('u', key, options);
  }

  async findByUsernameKey(key: string, options: FindOptions = {}): Promise<PersonRecord | undefined> {
    return this.findByKey('n', key, options);
  }

  /** findByNameKey of many keys at once, a few queries per partition (people-batch-read.ts); found people by key. */
  findManyByNameKey(keys: readonly string[], options: FindOptions = {}): Promise<Map<string, PersonRecord>> {
    return findPeopleByKeys(this.table, 'u', keys, options.verified === true);
  }

  findManyByUsernameKey(keys: readonly string[], options: FindOptions = {}): Promise<Map<string, PersonRecord>> {
    return findPeopleByKeys(this.table, 'n', keys, options.verified === true);
  }

  /** The person whose live source of this integration has this case-folded userName. */
  async findByScopedKey(integrationId: string, key: string, options: FindOptions = {}): Promise<PersonRecord | undefined> {
    return this.findByKey('s', scopedKey(integrationId, key), options);
  }

  async findByNameAndScopedKey(integrationId: string, key: string, options: FindOptions = {}): Promise<{ shared?: PersonRecord; own?: PersonRecord }> {
    const sharedRow = keyRowOf('u', key);
    const ownRow = keyRowOf('s', scopedKey(integrationId, key));
    const filter = odata`PartitionKey eq ${sharedRow.partitionKey} and (RowKey eq ${sharedRow.rowKey} or RowKey eq ${ownRow.rowKey})`;
    const found: { shared?: PersonRecord; own?: PersonRecord } = {};
    for await (const entity of this.table.listEntities<Entity>({ queryOptions: { filter } })) {
      const row = entity.rowKey === sharedRow.rowKey ? sharedRow : ownRow;
      const person = await this.keys.personOf(row, entity, options.verified === true);
      if (person !== undefined) found[row === sharedRow ? 'shared' : 'own'] = person;
    }
    return found;
  }

  async create(person: PersonRecord): Promise<PersonRecord> {
    const created = { ...person, version: 1 };
    return this.write(undefined, created);
  }

  /** ETag-guarded replace; throws ConcurrentUpdateError when `before` is stale, KeyTakenError for a held key. */
  async update(before: PersonRecord, after: PersonRecord): Promise<PersonRecord> {
    return this.write(before, { ...after, id: before.id, version: before.version + 1 });
  }

  /**
   * update() for many people at once, in transactions grouped by partition (people-batch-update.ts); undefined for
   * each person not written (it changed since it was read, a key it needs is held, or it is twice in the batch): the
   * caller re-reads it and writes it alone.
   */
  async updateMany(pairs: readonly { before: PersonRecord; after: PersonRecord }[]): Promise<(PersonRecord | undefined)[]> {
    return this.batch.updateMany(pairs.map(({ before, after }) => ({ before, after: { ...after, id: before.id, version: before.version + 1 } })));
  }

  /**
   * Deletes the person as read: ConcurrentUpdateError when it changed since. The main row is replaced by a tombstone
   * (guarded by the ETag of the read) in the same transaction that deletes the co-located copies, so nothing another
   * writer committed is lost; then the tombstone and the pointers are removed.
   */
  async delete(person: PersonRecord): Promise<void> {
    const current = person.etag === undefined ? await this.getById(person.id) : person;
    if (current?.etag === undefined || current.version !== person.version) throw new ConcurrentUpdateError(`person ${person.id}`);
    const rows = keyRowsOf(current);
    await this.bury(current, current.etag, rows.filter((r) => r.colocated));
    await this.keys.releaseAll(rows.filter((r) => !r.colocated), current.id);
  }

  /** Pages through main rows (all people, or only Content Manager users). Each page is one query. */
  async page(options: { pageSize: number; continuationToken?: string; cmOnly?: boolean }): Promise<PeoplePage> {
    const filter = options.cmOnly
      ? odata`RowKey ge ${MAIN_PREFIX} and RowKey lt 'p;' and hasCm eq true`
      : odata`RowKey ge ${MAIN_PREFIX} and RowKey lt 'p;'`;
    return this.pageOf(filter, options);
  }

  /** Main rows with a record of the integration (its first `s_` property), filtered by the service. */
  async pageWithSource(integrationId: string, options: { pageSize: number; continuationToken?: string }): Promise<PeoplePage> {
    if (!/^[a-z0-9]{1,64}$/.test(integrationId)) return { items: [] };
    return this.pageOf(`${odata`RowKey ge ${MAIN_PREFIX} and RowKey lt 'p;'`} and ${sourcePropertyOf(integrationId)} ge ''`, options);
  }

  private async pageOf(filter: string, options: { pageSize: number; continuationToken?: string }): Promise<PeoplePage> {
    const iterator = this.table.listEntities<Entity>({ queryOptions: { filter } }).byPage({
      maxPageSize: options.pageSize,
      ...(options.continuationToken === undefined ? {} : { continuationToken: options.continuationToken }),
    });
    const next = await iterator.next();
    if (next.done === true) return { items: [] };
    const page = next.value;
    const result: PeoplePage = { items: page.filter((entity) => !isTombstone(entity)).map((entity) => personFromEntity(entity)) };
    if (page.continuationToken !== undefined) result.continuationToken = page.continuationToken;
    return result;
  }

  /** Streams every main row (optionally only Content Manager users), one storage page at a time. */
  async *scan(options: { cmOnly?: boolean; pageSize?: number } = {}): AsyncGenerator<PersonRecord> {
    let continuationToken: string | undefined;
    do {
      const page = await this.page({ pageSize: options.pageSize ?? 500, cmOnly: options.cmOnly ?? false, ...(continuationToken === undefined ? {} : { continuationToken }) });
      yield* page.items;
      continuationToken = page.continuationToken;
    } while (continuationToken !== undefined);
  }

  private async readMain(partitionKey: string, id: string): Promise<PersonRecord | undefined> {
    try {
      const entity = await this.table.getEntity<Entity>(partitionKey, MAIN_PREFIX + id);
      return isTombstone(entity) ? undefined : personFromEntity(entity);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async findByKey(kind: KeyKind, key: string, options: FindOptions): Promise<PersonRecord | undefined> {
    const entity = await this.keys.read(kind, key);
    if (entity === undefined) return undefined;
    return this.keys.personOf(keyRowOf(kind, key), entity, options.verified === true);
  }

  private async write(before: PersonRecord | undefined, after: PersonRecord): Promise<PersonRecord> {
    const changes = keyRowChanges(before, after);
    const { added, removed } = changes;

    // The pointers this write claimed, with the ETag of each claim.
    const claimEtags = new Map<KeyRow, string | undefined>();
    try {
      for (const row of added.filter((r) => !r.colocated)) claimEtags.set(row, await this.keys.claim(row, after.id));
      const colocatedAdded = added.filter((r) => r.colocated);
      const actions = personWriteActions(before, after, changes);
      const etag = await this.submitReclaiming(actions, after.id, colocatedAdded);
      if (before === undefined) {
        // While a create is in flight its person does not exist, so another writer may have taken over one of its
        // pointers as stale (there was nothing to fence): confirm each claim; if one was lost, undo the create.
        for (const [row, claimEtag] of claimEtags) {
          if (await this.keys.confirm(row, after.id, claimEtag)) continue;
          await this.undoCreate(after, etag, colocatedAdded);
          throw new KeyTakenError(row.key);
        }
      } else {
        await Promise.all([...claimEtags].map(([row, claimEtag]) => this.keys.reassert(row, after.id, claimEtag)));
      }
      await this.keys.releaseAll(removed.filter((r) => !r.copy), after.id);
      return etag === undefined ? after : { ...after, etag };
    } catch (error) {
      await this.keys.releaseAll([...claimEtags.keys()], after.id);
      throw error;
    }
  }

  /** Submits the write; a co-located key row left behind by a crash blocks it: reclaim it and try once more. */
  private async submitReclaiming(actions: TransactionAction[], id: string, colocatedAdded: KeyRow[]): Promise<string | undefined> {
    try {
      return await this.submit(actions, id, colocatedAdded);
    } catch (error) {
      if (!(error instanceof StaleKeyRowError)) throw error;
    }
    for (const row of colocatedAdded) await this.keys.reclaimIfStale(row, id);
    try {
      return await this.submit(actions, id, colocatedAdded);
    } catch (retryError) {
      // Stale again: another writer is racing for the key; the caller re-reads and retries.
      if (retryError instanceof StaleKeyRowError) throw new ConcurrentUpdateError(`person ${id}`);
      throw retryError;
    }
  }

  /**
   * Replaces the main row by a tombstone, guarded by `etag`, in the transaction that deletes the co-located key rows (a
   * delete action cannot carry an ETag), then deletes the tombstone. ConcurrentUpdateError when the person changed.
   */
  private async bury(person: PersonRecord, etag: string, colocated: KeyRow[]): Promise<void> {
    try {
      await this.buryWith(person, etag, colocated);
    } catch (error) {
      const pointers = colocated.filter((r) => !r.copy);
      if (!(error instanceof ConcurrentUpdateError) || pointers.length === 0) throw error;
      // A co-located pointer written before pointers went into transactions may be missing, which fails the
      // transaction as a changed person would: once more without the pointers (a real change fails again), then
      // they are released like any pointer.
      await this.buryWith(person, etag, colocated.filter((r) => r.copy));
      await this.keys.releaseAll(pointers, person.id);
    }
  }

  private async buryWith(person: PersonRecord, etag: string, colocated: KeyRow[]): Promise<void> {
    const partitionKey = partitionOfId(person.id);
    const tombstone = { partitionKey, rowKey: MAIN_PREFIX + person.id, id: person.id, v: person.version + 1, [TOMBSTONE_PROPERTY]: true };
    const actions: TransactionAction[] = [['update', tombstone, 'Replace', { etag }] as TransactionAction];
    for (const row of colocated) actions.push(['delete', { partitionKey, rowKey: row.rowKey }]);
    const tombstoneEtag = await this.submit(actions, person.id);
    await this.table.deleteEntity(partitionKey, MAIN_PREFIX + person.id, { etag: tombstoneEtag }).catch((error: unknown) => {
      if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
    });
  }

  /** Removes a person this write created, unless someone wrote to it since (then it is theirs). */
  private async undoCreate(created: PersonRecord, etag: string | undefined, colocated: KeyRow[]): Promise<void> {
    if (etag === undefined) return;
    await this.bury(created, etag, colocated).catch((error: unknown) => {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    });
  }

  /** Submits one entity-group transaction and maps its failure to the domain's errors; returns the main row's ETag. */
  private async submit(actions: TransactionAction[], id: string, added: KeyRow[] = []): Promise<string | undefined> {
    try {
      const response = await this.table.submitTransaction(actions);
      const first = response.subResponses[0];
      return first?.etag;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) throw new ConcurrentUpdateError(`person ${id}`);
      if (isConflict(error)) {
        let stale = false;
        for (const row of added) {
          const existing = await this.keys.read(row.kind, row.key);
          if (existing === undefined) continue;
          const holder = await this.keys.liveHolder(row, existing);
          if (holder !== undefined && holder !== id) throw new KeyTakenError(row.key);
          if (holder === undefined) stale = true;
        }
        if (stale) throw new StaleKeyRowError();
        throw new ConcurrentUpdateError(`person ${id}`);
      }
      throw error;
    }
  }
}

class StaleKeyRowError extends Error {}

export type { PersonProperties };
