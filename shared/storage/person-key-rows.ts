// The key rows of the people table (name rows `u:<key>`, login rows `n:<key>`, an integration's own names `s:<key>`),
// and the pointer protocol for the ones that live outside their person's partition. A co-located key row is written
// in the person's own entity-group transactions, so it never disagrees with the main row: a full copy for `u` and `n`
// (one read finds the person), a small pointer for `s` (a person known to several integrations would otherwise carry
// a full copy per integration, and its transactions would outgrow 4 MiB). A pointer outside the person's partition
// ({ref: id}) is written beside those transactions and obeys three rules, so that a writer that lost a race never
// removes what another writer committed:
//   claim     before the person's write: create the pointer, or take over one whose person does not hold the key;
//   reassert  after a committed write: rewrite each claimed pointer, so a release that read it earlier fails its ETag;
//   release   after a write dropped the key, or after a failed write: delete the pointer only if it names this person,
//             the person (read after the pointer) does not hold the key, and the pointer's ETag is still the one read.
import type { TableClient } from '@azure/data-tables';
import type { PersonRecord } from '../directory/model/person-record.js';
import { bucketOf } from './keys.js';
import { personFromEntity } from './person-entity.js';
import { ConcurrentUpdateError, isConflict, isNotFound, isPreconditionFailed, KeyTakenError } from './storage-errors.js';

export type Entity = Record<string, unknown>;
/** `u` the organisation-wide name (UPN), `n` the Content Manager username, `s` an integration's own userName. */
export type KeyKind = 'u' | 'n' | 's';

/** Where one of a person's key rows lives: in the person's partition (written in its transactions) or not, a copy or not. */
export interface KeyRow {
  kind: KeyKind;
  key: string;
  partitionKey: string;
  rowKey: string;
  /** In the person's own partition, written in the person's entity-group transactions. */
  colocated: boolean;
  /** A full copy of the person (co-located `u` and `n` rows); else a pointer ({ref: id}). */
  copy: boolean;
}

export const MAIN_PREFIX = 'p:';
/** A main row replaced by this marker is being deleted: readers treat it as absent. */
export const TOMBSTONE_PROPERTY = 'tomb';
export const isTombstone = (entity: Entity): boolean => entity[TOMBSTONE_PROPERTY] === true;
/** Whether a string has the shape of a person id (its bucket, then lower-case letters and digits). */
export const isPersonId = (id: string): boolean => /^[0-9a-f]{2}[0-9a-z]{1,62}$/.test(id);

export const partitionOfId = (id: string): string => `b${id.slice(0, 2)}`;

/** The key rows a person's keys need (its name keys and login key), wherever they live. */
export function keyRowsOf(person: Pick<PersonRecord, 'id' | 'nameKeys' | 'usernameKey' | 'scopedKeys'>): KeyRow[] {
  const main = partitionOfId(person.id);
  const rows = [...new Set(person.nameKeys)].map((key) => keyRowOf('u', key, main));
  if (person.usernameKey !== undefined) rows.push(keyRowOf('n', person.usernameKey, main));
  for (const key of new Set(person.scopedKeys ?? [])) rows.push(keyRowOf('s', key, main));
  return rows;
}

/** The scoped key of an integration's own userName (already case-folded). */
export const scopedKey = (integrationId: string, nameKey: string): string => `${integrationId}:${nameKey}`;

/**
 * The row of one key, in the bucket of its name (a scoped key: of the name after the integration id, which has no
 * ':'); `colocated` when that is `mainPartition`, the partition of the person that holds it.
 */
export function keyRowOf(kind: KeyKind, key: string, mainPartition?: string): KeyRow {
  const partitionKey = `b${bucketOf(kind === 's' ? key.slice(key.indexOf(':') + 1) : key)}`;
  const colocated = partitionKey === mainPartition;
  return { kind, key, partitionKey, rowKey: `${kind}:${key}`, colocated, copy: isCopyPlace(kind, partitionKey, mainPartition) };
}

/** Whether a key row in `partitionKey` is a full copy of a person whose main row is in `mainPartition`. */
export function isCopyPlace(kind: KeyKind, partitionKey: string, mainPartition: string | undefined): boolean {
  return kind !== 's' && partitionKey === mainPartition;
}

export function holdsKey(person: PersonRecord, kind: KeyKind, key: string): boolean {
  if (kind === 'u') return person.nameKeys.includes(key);
  return kind === 's' ? (person.scopedKeys ?? []).includes(key) : person.usernameKey === key;
}

/** Whether a key row is a co-located copy of its person (else a pointer). */
export const isCopy = (entity: Entity): boolean => typeof entity.nameKeys === 'string';

/** The person a co-located copy describes, trusted without its main row; undefined when it does not hold the row's key. */
export function trustedCopy(row: KeyRow, entity: Entity): PersonRecord | undefined {
  const copy = personFromEntity(entity);
  if (!holdsKey(copy, row.kind, row.key)) return undefined;
  delete copy.etag; // a copy's ETag is not the main row's
  return copy;
}

/** Ignores the outcomes of a guarded delete or rewrite that mean "someone else changed the row first". */
function ignoreLostRace(error: unknown): void {
  if (!isNotFound(error) && !isPreconditionFailed(error)) throw error;
}

export class PersonKeyRows {
  constructor(
    private readonly table: TableClient,
    /** Reads a person's main row (undefined when absent or being deleted). */
    private readonly readPerson: (id: string) => Promise<PersonRecord | undefined>,
  ) {}

  async read(kind: KeyKind, key: string): Promise<Entity | undefined> {
    try {
      const row = keyRowOf(kind, key);
      return await this.table.getEntity<Entity>(row.partitionKey, row.rowKey);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The id of the person that really holds the row's key: checked against the main row, copies included. */
  async liveHolder(row: KeyRow, existing: Entity): Promise<string | undefined> {
    const ref = typeof existing.ref === 'string' ? existing.ref : '';
    const person = await this.readPerson(ref);
    return person !== undefined && holdsKey(person, row.kind, row.key) ? person.id : undefined;
  }

  /**
   * Inserts a pointer row; a pointer that names a person no longer holding the key is taken over (after fencing that
   * person). Returns the pointer's ETag. A row that changes while it is examined is examined again; one that keeps
   * changing is a race (ConcurrentUpdateError: the caller re-reads and retries), never a name another person holds,
   * which is KeyTakenError only when the row was seen to name a live holder.
   */
  async claim(row: KeyRow, id: string): Promise<string | undefined> {
    const entity = { partitionKey: row.partitionKey, rowKey: row.rowKey, ref: id };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        return (await this.table.createEntity(entity)).etag;
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      const existing = await this.read(row.kind, row.key);
      if (existing === undefined) continue;
      const holder = await this.liveHolder(row, existing);
      if (holder !== undefined && holder !== id) throw new KeyTakenError(row.key);
      if (existing.ref !== id && !(await this.fence(row, existing))) continue;
      try {
        return (await this.table.updateEntity(entity, 'Replace', { etag: String(existing.etag) })).etag;
      } catch (error) {
        ignoreLostRace(error);
      }
    }
    throw new ConcurrentUpdateError(`key row ${row.rowKey} kept changing`);
  }

  /** Rewrites a claimed pointer guarded by its claim ETag, so a writer still about to take it over fails; false if lost. */
  async confirm(row: KeyRow, id: string, etag: string | undefined): Promise<boolean> {
    try {
      await this.table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, ref: id }, 'Replace', { etag });
      return true;
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) return false;
      throw error;
    }
  }

  /**
   * After a committed write that holds the key: makes sure the pointer names the person, and rewrites it so that a
   * release which read it before the commit fails on its ETag. A pointer that names someone else is left alone (the
   * person dropped the key again since, and another took it over).
   */
  async reassert(row: KeyRow, id: string, claimEtag: string | undefined): Promise<void> {
    if (await this.confirm(row, id, claimEtag)) return;
    for (let attempt = 0; attempt < 4; attempt++) {
      const existing = await this.read(row.kind, row.key);
      try {
        if (existing === undefined) {
          // Released meanwhile: written again only while the person still holds the key (a later write may not).
          const person = await this.readPerson(id);
          if (person === undefined || !holdsKey(person, row.kind, row.key)) return;
          await this.table.createEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, ref: id });
          return;
        }
        if (existing.ref !== id || isCopy(existing)) return;
        await this.table.updateEntity({ partitionKey: row.partitionKey, rowKey: row.rowKey, ref: id }, 'Replace', { etag: String(existing.etag) });
        return;
      } catch (error) {
        if (!isConflict(error)) ignoreLostRace(error);
      }
    }
  }

  /**
   * Deletes a pointer to `id` unless the person holds its key (read after the pointer, so a later reassert wins). A
   * delete that fails on its ETag (a reassert rewrote the pointer meanwhile) looks again.
   */
  async release(row: KeyRow, id: string): Promise<void> {
    for (let attempt = 0; attempt < 4; attempt++) {
      const existing = await this.read(row.kind, row.key);
      if (existing === undefined || existing.ref !== id || isCopy(existing)) return;
      const person = await this.readPerson(id);
      if (person !== undefined && holdsKey(person, row.kind, row.key)) return;
      try {
        await this.table.deleteEntity(row.partitionKey, row.rowKey, { etag: String(existing.etag) });
        return;
      } catch (error) {
        if (isNotFound(error)) return;
        if (!isPreconditionFailed(error)) throw error;
      }
    }
  }

  async releaseAll(rows: KeyRow[], id: string): Promise<void> {
    await Promise.all(rows.map((row) => this.release(row, id)));
  }

  /**
   * Before a pointer whose person does not hold the key is taken over, that person's main row is touched, guarded by
   * the ETag of the state that lacks the key: an update of that person still in flight (which may be adding the key)
   * then fails with ConcurrentUpdateError instead of committing next to the new holder. False when the person changed
   * or now holds the key: the row must be examined again.
   */
  async fence(row: KeyRow, existing: Entity): Promise<boolean> {
    if (isCopy(existing) || typeof existing.ref !== 'string') return true;
    const person = await this.readPerson(existing.ref);
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
  async reclaimIfStale(row: KeyRow, id: string): Promise<void> {
    const existing = await this.read(row.kind, row.key);
    if (existing === undefined) return;
    const holder = await this.liveHolder(row, existing);
    if (holder !== undefined && holder !== id) throw new KeyTakenError(row.key);
    if (holder === undefined) {
      if (!(await this.fence(row, existing))) return; // the retried transaction examines the row again
      await this.table.deleteEntity(row.partitionKey, row.rowKey, { etag: String(existing.etag) }).catch(ignoreLostRace);
    }
  }

  /** The person a key row names when it holds the key; a copy is trusted unless `verified` asks for the main row. */
  async personOf(row: KeyRow, entity: Entity, verified: boolean): Promise<PersonRecord | undefined> {
    if (isCopy(entity) && !verified) return trustedCopy(row, entity);
    const person = await this.readPerson(typeof entity.ref === 'string' ? entity.ref : '');
    return person !== undefined && holdsKey(person, row.kind, row.key) ? person : undefined;
  }
}
