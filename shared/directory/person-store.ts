// Writing a person together with its key rows and index rows, and the read-modify-write loop that keeps concurrent
// writers from losing each other's updates (ETag-guarded, retried: write-retries.ts). A write adds the index rows the
// person must have (requiredIndexEntriesOf) and removes those of values it no longer has at all (indexEntriesOf), so a
// row that is only a superfluous hint is neither written nor left behind.
import { caseFoldKey } from '../storage/keys.js';
import { assertPersonFits } from '../storage/person-entity.js';
import { forEachBounded } from '../storage/transactions.js';
import { leavesSomeView, type MemberDepartures } from './member-departures.js';
import type { PersonRecord } from './model/person-record.js';
import type { IndexEntry, PeopleStore, UserIndexStore } from './model/stores.js';
import { indexEntriesOf, nameKeysOf, requiredIndexEntriesOf, scopedKeysOf } from './user-view.js';
import { retryConcurrentUpdates } from './write-retries.js';

/**
 * The person with the keys its names derive: nameKeys from nameKeysOf (the organisation-wide name), scopedKeys from
 * scopedKeysOf (each integration's own userName), usernameKey from the Content Manager username.
 */
export function withDerivedKeys(person: PersonRecord): PersonRecord {
  const derived: PersonRecord = { ...person, nameKeys: nameKeysOf(person), scopedKeys: scopedKeysOf(person) };
  if (person.cm !== undefined) delete derived.stagedUpn;
  if (person.cm === undefined) delete derived.usernameKey;
  else derived.usernameKey = caseFoldKey(person.cm.username);
  return derived;
}

/** People who see their index rows and observers through, one at a time, alongside many people's main rows written at once. */
const PARALLEL_PEOPLE = 8;

/** Many people written at once (PeopleRepository.updateMany). */
export interface PeopleBatchWrites {
  /**
   * update() for many people (each `before` as read, with its ETag), in few transactions; undefined for each person not
   * written (it changed since, a key it needs is held, or it is twice in the batch), which the caller writes alone.
   */
  updateMany(pairs: readonly { before: PersonRecord; after: PersonRecord }[]): Promise<(PersonRecord | undefined)[]>;
}

/** Told after each write of a person (before: undefined for a create; after: undefined for a delete). */
export interface PersonWriteObserver {
  written(id: string, before: PersonRecord | undefined, after: PersonRecord | undefined): Promise<void>;
}

export class PersonStore {
  constructor(
    readonly people: PeopleStore & PeopleBatchWrites,
    private readonly index: UserIndexStore,
    /** Where a write that takes the person out of a view records the departure before it commits. */
    private readonly departures: MemberDepartures,
    /** Keeps derived rows in step (the targeting value index: targeting/value-indexer.ts). */
    private readonly observer?: PersonWriteObserver,
  ) {}

  async create(person: PersonRecord): Promise<PersonRecord> {
    const next = withDerivedKeys(person);
    assertPersonFits(next); // before the index rows, so a person too large to store leaves nothing behind
    const entries = requiredIndexEntriesOf(next);
    await this.index.addMissing(next.id, [], entries, 1);
    let created: PersonRecord;
    try {
      created = await this.people.create(next);
    } catch (error) {
      // The id is this attempt's own; but the create may have happened (its answer lost), so the person is read first.
      await this.releaseClaims(next.id, entries);
      throw error;
    }
    await this.observer?.written(created.id, undefined, created);
    return created;
  }

  async save(before: PersonRecord, after: PersonRecord): Promise<PersonRecord> {
    const next = withDerivedKeys(after);
    assertPersonFits(next);
    await this.index.addMissing(before.id, requiredIndexEntriesOf(before), requiredIndexEntriesOf(next), before.version + 1);
    let saved: PersonRecord;
    try {
      saved = await this.departures.around(leavesSomeView(before, next) ? [before.id] : [], () => this.people.update(before, next));
    } catch (error) {
      await this.releaseClaims(before.id, requiredIndexEntriesOf(next));
      throw error;
    }
    await this.afterSave(before, next, saved);
    return saved;
  }

  /** After a person's main write: the rows of values it no longer has removed, the observer told. */
  private async afterSave(before: PersonRecord, next: PersonRecord, saved: PersonRecord): Promise<void> {
    await this.index.removeStale(before.id, indexEntriesOf(before), indexEntriesOf(next), saved.version);
    await this.observer?.written(before.id, before, saved);
  }

  /**
   * After a write of the person that did not happen (or may not have): the rows it claimed that the person, read now,
   * does not have are removed (with the version read, so a later writer's claim stays); all of them when the person is
   * gone. Failures are left to the next writer or `check-storage --repair`: the rows are hints.
   */
  private async releaseClaims(id: string, claimed: IndexEntry[]): Promise<void> {
    try {
      const current = await this.people.getById(id);
      if (current === undefined) await this.index.removeAllOf(id, claimed);
      else await this.index.removeStale(id, claimed, indexEntriesOf(current), current.version);
    } catch {
      // the caller's error is the one to report
    }
  }

  /**
   * save() for many people at once, each `before` as it was just read (with its ETag): the same index rows, claimed
   * before and the stale ones removed after, and the same observer, with the main rows written in transactions grouped by
   * partition. Answers each person as saved, or undefined when it was not (the caller re-reads it: mutate); the index
   * rows claimed for a person not saved are removed again unless the person has their values.
   */
  async saveMany(pairs: readonly { before: PersonRecord; after: PersonRecord }[]): Promise<(PersonRecord | undefined)[]> {
    const nexts = pairs.map(({ after }) => withDerivedKeys(after));
    for (const next of nexts) assertPersonFits(next);
    const indices = pairs.map((_, i) => i);
    const nextOf = (i: number): PersonRecord => nexts[i] as PersonRecord;
    const beforeOf = (i: number): PersonRecord => (pairs[i] as { before: PersonRecord }).before;
    await forEachBounded(indices, PARALLEL_PEOPLE, async (i) => {
      const before = beforeOf(i);
      await this.index.addMissing(before.id, requiredIndexEntriesOf(before), requiredIndexEntriesOf(nextOf(i)), before.version + 1);
    });
    const departing = pairs.filter(({ before }, i) => leavesSomeView(before, nexts[i])).map(({ before }) => before.id);
    let saved: (PersonRecord | undefined)[];
    try {
      saved = await this.departures.around(departing, () => this.people.updateMany(pairs.map(({ before }, i) => ({ before, after: nextOf(i) }))));
    } catch (error) {
      await forEachBounded(indices, PARALLEL_PEOPLE, (i) => this.releaseClaims(beforeOf(i).id, requiredIndexEntriesOf(nextOf(i))));
      throw error;
    }
    await forEachBounded(indices, PARALLEL_PEOPLE, async (i) => {
      const before = beforeOf(i);
      const after = saved[i];
      if (after === undefined) await this.releaseClaims(before.id, requiredIndexEntriesOf(nextOf(i)));
      else await this.afterSave(before, after, after);
    });
    return saved;
  }

  async remove(person: PersonRecord): Promise<void> {
    await this.departures.around(leavesSomeView(person, undefined) ? [person.id] : [], () => this.people.delete(person));
    await this.index.removeAllOf(person.id, indexEntriesOf(person));
    await this.observer?.written(person.id, person, undefined);
  }

  /**
   * Reads the person, lets `change` compute the new state (or return `undefined` for no write, or `'delete'`), and
   * writes it guarded by the ETag; a lost race re-reads and re-applies. `change` must be pure.
   */
  async mutate<T>(
    id: string,
    change: (person: PersonRecord | undefined) => { next: PersonRecord | 'delete' | undefined; result: T },
  ): Promise<{ person: PersonRecord | undefined; result: T }> {
    return retryConcurrentUpdates(`person ${id}`, async () => {
      const current = await this.people.getById(id);
      const { next, result } = change(current);
      if (next === undefined || current === undefined) return { person: current, result };
      if (next === 'delete') {
        await this.remove(current);
        return { person: undefined, result };
      }
      return { person: await this.save(current, next), result };
    });
  }
}
