// The organisation's people (Content Manager users and staged records) in one table, laid out so that every lookup
// Entra makes is one point read:
//   main row   PK b<bucket>  RK p:<id>     the person (the id starts with its bucket)
//   name row   PK b<bucket>  RK u:<key>    one per case-folded userName (UPN, or a source's userName)
//   login row  PK b<bucket>  RK n:<key>    the Content Manager username, for admin upserts
// A key row whose bucket equals the id's bucket lives in the main row's partition: it is a full copy of the person,
// written in the same entity-group transaction as the main row, so a match by userName costs one read. Other key
// rows are pointers ({ref: id}), inserted before the main write and removed after it; readers verify every key row
// against the person it names, so a pointer left behind by a crash is ignored and later reclaimed.
import { randomBytes } from 'node:crypto';
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { bucketOf } from './keys.js';
import { personFromEntity, type PersonProperties, personToProperties } from './person-entity.js';
import type { PersonRecord } from './person-record.js';
import { ConcurrentUpdateError, isConflict, isNotFound, isPreconditionFailed, KeyTakenError } from './storage-errors.js';

type Entity = Record<string, unknown>;
export type KeyKind = 'u' | 'n';

/** Where one of a person's key rows lives, and whether it is a co-located copy (else a pointer). */
export interface KeyRow {
  kind: KeyKind;
  key: string;
  partitionKey: string;
  rowKey: string;
  colocated: boolean;
}

export const MAIN_PREFIX = 'p:';

export function newPersonId(primaryKey: string): string {
  return bucketOf(primaryKey) + randomBytes(15).toString('hex');
}

export const partitionOfId = (id: string): string => `b${id.slice(0, 2)}`;

export interface PeoplePage {
  items: PersonRecord[];
  continuationToken?: string;
}

export class PeopleRepository {
  constructor(private readonly table: TableClient) {}

  async getById(id: string): Promise<PersonRecord | undefined> {
    if (!/^[0-9a-f]{2}[0-9a-z]{1,62}$/.test(id)) return undefined;
    return this.readMain(partitionOfId(id), id);
  }

  /** The person holding a case-folded userName: one read when the key row is co-located with the person. */
  async findByNameKey(key: string): Promise<PersonRecord | undefined> {
    return this.findByKey('u', key);
  }

  async findByUsernameKey(key: string): Promise<PersonRecord | undefined> {
    return this.findByKey('n', key);
  }

  async create(person: PersonRecord): Promise<PersonRecord> {
    const created = { ...person, version: 1 };
    return this.write(undefined, created);
  }

  /** ETag-guarded replace; throws ConcurrentUpdateError when `before` is stale, KeyTakenError for a held key. */
  async update(before: PersonRecord, after: PersonRecord): Promise<PersonRecord> {
    return this.write(before, { ...after, id: before.id, version: before.version + 1 });
  }

  async delete(person: PersonRecord): Promise<void> {
    const partitionKey = partitionOfId(person.id);
    const rows = this.keyRowsOf(person);
    const actions: TransactionAction[] = [
      ['delete', { partitionKey, rowKey: MAIN_PREFIX + person.id }],
    ];
    for (const row of rows.filter((r) => r.colocated)) actions.push(['delete', { partitionKey, rowKey: row.rowKey }]);
    await this.submit(actions, person.id);
    await this.removePointers(rows.filter((r) => !r.colocated), person.id);
  }

  /** Pages through main rows (all people, or only Content Manager users). Each page is one query. */
  async page(options: { pageSize: number; continuationToken?: string; cmOnly?: boolean }): Promise<PeoplePage> {
    const filter = options.cmOnly
      ? odata`RowKey ge ${MAIN_PREFIX} and RowKey lt 'p;' and hasCm eq true`
      : odata`RowKey ge ${MAIN_PREFIX} and RowKey lt 'p;'`;
    const iterator = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } }).byPage({
      maxPageSize: options.pageSize,
      ...(options.continuationToken === undefined ? {} : { continuationToken: options.continuationToken }),
    });
    const next = await iterator.next();
    if (next.done === true) return { items: [] };
    const page = next.value;
    const result: PeoplePage = { items: page.map((entity) => personFromEntity(entity)) };
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
      return personFromEntity(await this.table.getEntity<Record<string, unknown>>(partitionKey, MAIN_PREFIX + id));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async findByKey(kind: KeyKind, key: string): Promise<PersonRecord | undefined> {
    const entity = await this.readKeyRow(kind, key);
    if (entity === undefined) return undefined;
    const person =
      typeof entity.nameKeys === 'string'
        ? personFromEntity(entity)
        : await this.getById(typeof entity.ref === 'string' ? entity.ref : '');
    if (person === undefined || !holdsKey(person, kind, key)) return undefined;
    if (typeof entity.nameKeys === 'string') delete person.etag; // a copy's ETag is not the main row's
    return person;
  }

  private async readKeyRow(kind: KeyKind, key: string): Promise<Entity | undefined> {
    try {
      return await this.table.getEntity<Record<string, unknown>>(`b${bucketOf(key)}`, `${kind}:${key}`);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private keyRowsOf(person: PersonRecord): KeyRow[] {
    return keyRowsOf(person);
  }

  private async write(before: PersonRecord | undefined, after: PersonRecord): Promise<PersonRecord> {
    const partitionKey = partitionOfId(after.id);
    const props = personToProperties(after);
    const oldRows = before === undefined ? [] : this.keyRowsOf(before);
    const newRows = this.keyRowsOf(after);
    const oldRowKeys = new Set(oldRows.map((r) => `${r.partitionKey}/${r.rowKey}`));
    const newRowKeys = new Set(newRows.map((r) => `${r.partitionKey}/${r.rowKey}`));
    const added = newRows.filter((r) => !oldRowKeys.has(`${r.partitionKey}/${r.rowKey}`));
    const removed = oldRows.filter((r) => !newRowKeys.has(`${r.partitionKey}/${r.rowKey}`));

    // The pointers this write claimed, with the ETag of each claim.
    const claimEtags = new Map<KeyRow, string | undefined>();
    try {
      for (const row of added.filter((r) => !r.colocated)) claimEtags.set(row, await this.claimPointer(row, after.id));
      const colocatedAdded = added.filter((r) => r.colocated);
      const actions: TransactionAction[] = [];
      const mainEntity = { partitionKey, rowKey: MAIN_PREFIX + after.id, ...props };
      if (before === undefined) actions.push(['create', mainEntity]);
      else actions.push(['update', mainEntity, 'Replace', { etag: before.etag }] as TransactionAction);
      for (const row of newRows.filter((r) => r.colocated)) {
        const copy = { partitionKey, rowKey: row.rowKey, ref: after.id, ...props };
        actions.push(colocatedAdded.includes(row) ? ['create', copy] : ['upsert', copy, 'Replace']);
      }
      for (const row of removed.filter((r) => r.colocated)) actions.push(['delete', { partitionKey, rowKey: row.rowKey }]);
      let etag: string | undefined;
      try {
        etag = await this.submit(actions, after.id, colocatedAdded);
      } catch (error) {
        // A co-located key row left behind by a crash blocks the create: reclaim it and try once more.
        if (!(error instanceof StaleKeyRowError)) throw error;
        for (const row of colocatedAdded) await this.reclaimIfStale(row, after.id);
        try {
          etag = await this.submit(actions, after.id, colocatedAdded);
        } catch (retryError) {
          // Stale again: another writer is racing for the key; the caller re-reads and retries.
          if (retryError instanceof StaleKeyRowError) throw new ConcurrentUpdateError(`person ${after.id}`);
          throw retryError;
        }
      }
      // While a create is in flight its person does not exist, so another writer may have taken over one of its
      // pointers as stale (there was nothing to fence): confirm each claim; if one was lost, undo the create.
      if (before === undefined) {
        for (const [row, claimEtag] of claimEtags) {
          if (await this.confirmPointer(row, after.id, claimEtag)) continue;
          const undo: TransactionAction[] = [['delete', { partitionKey, rowKey: MAIN_PREFIX + after.id }]];
          for (const copy of colocatedAdded) undo.push(['delete', { partitionKey, rowKey: copy.rowKey }]);
          await this.table.submitTransaction(undo).catch(() => undefined);
          throw new KeyTakenError(row.key);
        }
      }
      await this.removePointers(removed.filter((r) => !r.colocated), after.id);
      return etag === undefined ? after : { ...after, etag };
    } catch (error) {
      await this.removePointers([...claimEtags.keys()], after.id);
      throw error;
    }
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
          const existing = await this.readKeyRow(row.kind, row.key);
          if (existing === undefined) continue;
          const holder = await this.liveHolder(row, existing);
          if (holder !== undefined && holder !== id) throw new KeyTakenError(row.key);
          if (holder === undefined) stale = true;
        }
        if (stale) throw new StaleKeyRowError();
        throw new ConcurrentUpdateError(`person ${id}`);
      }
      throw error;
    }
  }

  /**
   * Inserts a pointer row; a pointer that names a person no longer holding the key is taken over (after fencing that
   * person). Returns the pointer's ETag. A row that changes while it is examined is examined again.
   */
  private async claimPointer(row: KeyRow, id: string): Promise<string | undefined> {
    const entity = { partitionKey: row.partitionKey, rowKey: row.rowKey, ref: id };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return (await this.table.createEntity(entity)).etag;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      const existing = await this.readKeyRow(row.kind, row.key);
      if (existing === undefined) continue;
      const holder = await this.liveHolder(row, existing);
      if (holder === id) return String(existing.etag);
      if (holder !== undefined) throw new KeyTakenError(row.key);
      if (existing.ref !== id && !(await this.fence(row, existing))) continue;
      try {
        return (await this.table.updateEntity(entity, 'Replace', { etag: String(existing.etag) })).etag;
      } catch (error) {
        if (!isPreconditionFailed(error) && !isNotFound(error)) throw error;
      }
    }
    throw new KeyTakenError(row.key);
  }

  /** Rewrites a claimed pointer guarded by its claim ETag, so a writer still about to take it over fails; false if lost. */
  private async confirmPointer(row: KeyRow, id: string, etag: string | undefined): Promise<boolean> {
    try {
      await this.table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, ref: id }, 'Replace', { etag });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * Before a pointer whose person does not hold the key is taken over, that person's main row is touched, guarded by
   * the ETag of the state that lacks the key: an update of that person still in flight (which may be adding the key)
   * then fails with ConcurrentUpdateError instead of committing next to the new holder. False when the person changed
   * or now holds the key: the row must be examined again.
   */
  private async fence(row: KeyRow, existing: Entity): Promise<boolean> {
    if (typeof existing.nameKeys === 'string' || typeof existing.ref !== 'string') return true;
    const person = await this.getById(existing.ref);
    if (person === undefined) return true; // a create in flight confirms its pointers after committing
    if (holdsKey(person, row.kind, row.key)) return false;
    try {
      await this.table.updateEntity({ partitionKey: partitionOfId(person.id), rowKey: MAIN_PREFIX + person.id }, 'Merge', { etag: person.etag });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return false;
      throw error;
    }
  }

  /** A co-located key row left by a crash or a deleted person is removed before the transaction creates it. */
  private async reclaimIfStale(row: KeyRow, id: string): Promise<void> {
    const existing = await this.readKeyRow(row.kind, row.key);
    if (existing === undefined) return;
    const holder = await this.liveHolder(row, existing);
    if (holder !== undefined && holder !== id) throw new KeyTakenError(row.key);
    if (holder === undefined) {
      if (!(await this.fence(row, existing))) return; // the retried transaction examines the row again
      await this.table.deleteEntity(row.partitionKey, row.rowKey, { etag: String(existing.etag) }).catch((error: unknown) => {
        if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
      });
    }
  }

  private async liveHolder(row: KeyRow, existing: Entity): Promise<string | undefined> {
    const ref = typeof existing.ref === 'string' ? existing.ref : '';
    const person = typeof existing.nameKeys === 'string' ? personFromEntity(existing) : await this.getById(ref);
    return person !== undefined && holdsKey(person, row.kind, row.key) ? person.id : undefined;
  }

  private async removePointers(rows: KeyRow[], id: string): Promise<void> {
    await Promise.all(
      rows.map(async (row) => {
        const existing = await this.readKeyRow(row.kind, row.key);
        if (existing === undefined || existing.ref !== id) return;
        await this.table.deleteEntity(row.partitionKey, row.rowKey, { etag: String(existing.etag) }).catch((error: unknown) => {
          if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
        });
      }),
    );
  }
}

class StaleKeyRowError extends Error {}

/** The key rows a person's keys need (its name keys and login key), wherever they live. */
export function keyRowsOf(person: Pick<PersonRecord, 'id' | 'nameKeys' | 'usernameKey'>): KeyRow[] {
  const main = partitionOfId(person.id);
  const rows: KeyRow[] = [];
  const add = (kind: KeyKind, key: string): void => {
    const partitionKey = `b${bucketOf(key)}`;
    rows.push({ kind, key, partitionKey, rowKey: `${kind}:${key}`, colocated: partitionKey === main });
  };
  for (const key of new Set(person.nameKeys)) add('u', key);
  if (person.usernameKey !== undefined) add('n', person.usernameKey);
  return rows;
}

export function holdsKey(person: PersonRecord, kind: KeyKind, key: string): boolean {
  return kind === 'u' ? person.nameKeys.includes(key) : person.usernameKey === key;
}

export type { PersonProperties };
