// The people table: main rows (the source) and the key rows derived from them. One check per derived-row kind:
//   derived keys   a person's nameKeys / usernameKey are what its names derive (withDerivedKeys)
//   key presence   every key the person holds has its row, naming the person (checked from the person)
//   key row        every key row names a person holding that key, has the shape its place needs (a full copy in the
//                  person's partition, a pointer elsewhere) and, as a copy, equals the main row (checked from the row)
// The layout itself (where each key row lives) comes from keyRowsOf in the repository, so a layout change is made there.
import type { PersonRecord } from '../directory/model/person-record.js';
import { withDerivedKeys } from '../directory/person-store.js';
import { holdsKey, type KeyKind, type KeyRow, keyRowsOf, MAIN_PREFIX, partitionOfId } from '../storage/people-repository.js';
import { personFromEntity, personToProperties } from '../storage/person-entity.js';
import { isCopy, isTombstone, keyRowOf } from '../storage/person-key-rows.js';
import { ConcurrentUpdateError, KeyTakenError } from '../storage/storage-errors.js';
import { at, type CheckContext, type RowCheck } from './check-context.js';
import { deleteIfUnchanged, putIfUnchanged, readRow, type Row } from './table-rows.js';
import { checkIndexRowsOf } from './user-index-checks.js';

const KEY_ROW = /^([uns]):(.+)$/s;

export const checkPeopleRow: RowCheck = async (row, context) => {
  if (row.rowKey.startsWith(MAIN_PREFIX)) return checkPersonRow(row, context);
  const keyRow = KEY_ROW.exec(row.rowKey);
  if (keyRow !== null) return checkKeyRow(row, keyRow[1] as KeyKind, keyRow[2] ?? '', context);
  return context.report({ kind: 'unknown-row', ...at('people', row), detail: 'no row of the people table has this row key' });
};

async function checkPersonRow(row: Row, context: CheckContext): Promise<void> {
  if (isTombstone(row)) {
    // Readers treat it as absent and its key rows went with it; only the marker itself is left to remove.
    return context.report({ kind: 'leftover-tombstone', ...at('people', row), detail: 'a person delete stopped before removing its marker' }, () =>
      deleteIfUnchanged(context.tables.people, row),
    );
  }
  let person: PersonRecord;
  try {
    person = personFromEntity(row);
  } catch {
    return context.report({ kind: 'unreadable-row', ...at('people', row), detail: 'the person row does not parse' });
  }
  if (row.rowKey !== MAIN_PREFIX + person.id || row.partitionKey !== partitionOfId(person.id)) {
    return context.report({ kind: 'misplaced-row', ...at('people', row), detail: `the row holds person ${person.id}, whose main row is elsewhere` });
  }
  // The rows of the keys the person holds come first: re-deriving its keys goes through the repository's update,
  // which expects the rows of the keys it replaces to be there.
  for (const keyRow of keyRowsOf(person)) await checkKeyPresence(person, keyRow, context);
  const rewritten = await checkDerivedKeys(person, row, context);
  if (rewritten !== undefined) for (const keyRow of keyRowsOf(rewritten)) await checkKeyPresence(rewritten, keyRow, context);
  await checkIndexRowsOf(rewritten ?? person, context);
}

/** Returns the person as the repair rewrote it, if it did. */
async function checkDerivedKeys(person: PersonRecord, row: Row, context: CheckContext): Promise<PersonRecord | undefined> {
  const derived = withDerivedKeys(person);
  if (sameKeys(derived.nameKeys, person.nameKeys) && sameKeys(derived.scopedKeys ?? [], person.scopedKeys ?? []) && derived.usernameKey === person.usernameKey) return undefined;
  let rewritten = false;
  await context.report(
    { kind: 'person-keys-not-derived', ...at('people', row), detail: `person ${person.id} holds keys its names do not derive (or lacks keys they do)` },
    async () => {
      rewritten = await rederiveKeys(person, derived, context);
      return rewritten;
    },
  );
  return rewritten ? context.people.getById(person.id) : undefined;
}

/**
 * Rewrites the person with its derived keys through the repository (which claims and releases key rows as any update
 * does). A co-located copy naming the person under a key it is about to get would make that update's insert fail: as
 * the person does not hold that key yet, the copy is stale and is removed first.
 */
async function rederiveKeys(person: PersonRecord, derived: PersonRecord, context: CheckContext): Promise<boolean> {
  const held = new Set(keyRowsOf(person).map((keyRow) => keyRow.rowKey));
  for (const keyRow of keyRowsOf(derived).filter((r) => r.colocated && !held.has(r.rowKey))) {
    const existing = await readRow(context.tables.people, keyRow.partitionKey, keyRow.rowKey);
    if (existing?.ref === person.id && !(await deleteIfUnchanged(context.tables.people, existing))) return false;
  }
  try {
    await context.people.update(person, derived);
    return true;
  } catch (error) {
    if (error instanceof ConcurrentUpdateError || error instanceof KeyTakenError) return false;
    throw error;
  }
}

/** The row of a key the person holds must exist and name the person. */
async function checkKeyPresence(person: PersonRecord, keyRow: KeyRow, context: CheckContext): Promise<void> {
  const location = { table: 'people' as const, partitionKey: keyRow.partitionKey, rowKey: keyRow.rowKey };
  const existing = await readRow(context.tables.people, keyRow.partitionKey, keyRow.rowKey);
  if (existing?.ref === person.id) return; // its shape and freshness are checked when the walk reaches the row
  if (existing !== undefined) {
    const holder = await liveHolder(existing, keyRow.kind, keyRow.key, context);
    if (holder !== undefined) {
      return context.report({ kind: 'duplicate-key', ...location, detail: `people ${holder.id} and ${person.id} both hold this key` });
    }
  }
  const what = existing === undefined ? 'the row is missing' : `the row names ${String(existing.ref)}, which does not hold it`;
  await context.report({ kind: 'missing-key-row', ...location, detail: `person ${person.id} holds this key but ${what}` }, () =>
    writeKeyRow(person, keyRow, existing, context),
  );
}

/** A key row: it must name a person holding the key, in the shape its place needs, equal to the main row if a copy. */
async function checkKeyRow(row: Row, kind: KeyKind, key: string, context: CheckContext): Promise<void> {
  const holder = row.partitionKey === keyRowOf(kind, key).partitionKey ? await liveHolder(row, kind, key, context) : undefined;
  if (holder === undefined) {
    const ref = typeof row.ref === 'string' ? row.ref : '(none)';
    return context.report(
      { kind: 'stale-key-row', ...at('people', row), detail: `the row names person ${ref}, which does not exist or does not hold this key here` },
      () => deleteIfUnchanged(context.tables.people, row),
    );
  }
  const keyRow: KeyRow = keyRowOf(kind, key, partitionOfId(holder.id));
  const copy = isCopy(row);
  if (copy !== keyRow.copy) {
    const detail = copy ? `a copy of person ${holder.id} outside its partition (a pointer belongs here)` : `a pointer to person ${holder.id} in its own partition (a copy belongs here)`;
    return context.report({ kind: 'misshapen-key-row', ...at('people', row), detail }, () => writeKeyRow(holder, keyRow, row, context));
  }
  if (copy && !sameProperties(row, holder)) {
    await context.report(
      { kind: 'stale-key-copy', ...at('people', row), detail: `the copy is at version ${String(row.v)}, person ${holder.id} at ${holder.version} (or their properties differ)` },
      () => writeKeyRow(holder, keyRow, row, context),
    );
  }
}

/** The person (as its main row says) that the key row names, when that person holds the key. */
async function liveHolder(row: Row, kind: KeyKind, key: string, context: CheckContext): Promise<PersonRecord | undefined> {
  const person = typeof row.ref === 'string' ? await context.people.getById(row.ref) : undefined;
  return person !== undefined && holdsKey(person, kind, key) ? person : undefined;
}

/**
 * Writes the key row the person needs over `existing` (guarded by its ETag). A copy is written in one transaction
 * with a touch of the main row guarded by the ETag it was read with, so it never copies a person that changed since.
 */
async function writeKeyRow(person: PersonRecord, keyRow: KeyRow, existing: Row | undefined, context: CheckContext): Promise<boolean> {
  const keys = { partitionKey: keyRow.partitionKey, rowKey: keyRow.rowKey };
  if (!keyRow.copy) return putIfUnchanged(context.tables.people, { ...keys, ref: person.id }, existing);
  // The person as it is now: an earlier repair of another of its copies touched its main row (and so its ETag).
  const current = await context.people.getById(person.id);
  if (current === undefined || !holdsKey(current, keyRow.kind, keyRow.key)) return false;
  const main = { partitionKey: keyRow.partitionKey, rowKey: MAIN_PREFIX + current.id, etag: current.etag ?? '' };
  return putIfUnchanged(context.tables.people, { ...keys, ref: current.id, ...personToProperties(current) }, existing, main);
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return set.size === new Set(b).size && b.every((key) => set.has(key));
}

/** Whether a copy carries exactly the person's properties (its keys, ETag, timestamp and `ref` aside). */
function sameProperties(copy: Row, person: PersonRecord): boolean {
  const canonical = (props: Record<string, unknown>): string => JSON.stringify(Object.entries(props).sort(([a], [b]) => (a < b ? -1 : 1)));
  try {
    return canonical(personToProperties(personFromEntity(copy))) === canonical(personToProperties(person));
  } catch {
    return false;
  }
}
