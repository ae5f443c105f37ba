// What every row check of the storage checker is given: the tables, the repositories whose reads it reuses, the set of
// integrations, a place to report problems, and a bounded memo for reads many rows repeat.
import type { GroupRepository } from '../storage/group-repository.js';
import type { PeopleRepository } from '../storage/people-repository.js';
import type { TableClients, TableName } from '../storage/table-clients.js';
import type { FoundProblem, Repair } from './storage-problems.js';
import type { Row } from './table-rows.js';

export interface CheckContext {
  readonly tables: TableClients;
  readonly people: PeopleRepository;
  readonly groups: GroupRepository;
  /** Ids of the integrations that exist (the root every group, membership and catalog row hangs from). */
  readonly integrations: ReadonlySet<string>;
  /** Reports a problem; with `repair` on, its repair runs before the check goes on. */
  report(problem: FoundProblem, repair?: Repair): Promise<void>;
  /** A read many rows repeat (does this group exist?), memoised while suspects are sought; read afresh to confirm. */
  remember<T>(key: string, read: () => Promise<T>): Promise<T>;
}

/** Checks one listed row: reports what is wrong with it, or with the rows derived from it. */
export type RowCheck = (row: Row, context: CheckContext) => Promise<void>;

export interface TableCheck {
  table: TableName;
  check: RowCheck;
}

/** The problem's location is the row itself. */
export function at(table: TableName, row: Row): Pick<FoundProblem, 'table' | 'partitionKey' | 'rowKey'> {
  return { table, partitionKey: row.partitionKey, rowKey: row.rowKey };
}

/** Keeps at most `capacity` reads; when full it starts over, so memory stays bounded whatever the tenant's size. */
export class BoundedMemo {
  private readonly entries = new Map<string, Promise<unknown>>();

  constructor(private readonly capacity: number) {}

  get<T>(key: string, read: () => Promise<T>): Promise<T> {
    const known = this.entries.get(key);
    if (known !== undefined) return known as Promise<T>;
    if (this.entries.size >= this.capacity) this.entries.clear();
    const pending = read();
    this.entries.set(key, pending);
    pending.catch(() => this.entries.delete(key));
    return pending;
  }
}
