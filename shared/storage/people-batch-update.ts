// Updating many people at once (a page of a Graph sync), with the rows and guards of PeopleRepository.update but
// round trips shared by partition instead of paid person by person:
//   1. claim   the pointers the people newly need outside their own partitions: inserts, in transactions per pointer
//              partition (a transaction that fails is claimed again row by row, with the single write's protocol);
//   2. write   each person's main row, guarded by the ETag it was read with, with its co-located key rows, in
//              transactions per person partition (one person's actions are never split over two transactions);
//   3. reassert each claimed pointer, rewritten guarded by its claim's ETag, in transactions per pointer partition.
// A person whose pointer is held by someone else, or whose transaction failed (a lost race fails the whole
// transaction: any 412, 404 or 409), is not written here: its claims are released and the caller writes it alone,
// re-reading it first. A person twice in one batch is written once, the other time left to the caller.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { PersonRecord } from '../directory/model/person-record.js';
import { TRANSACTION_BODY_BUDGET, transactionActionBytes } from './entity-limits.js';
import { personToProperties } from './person-entity.js';
import { type KeyRow, keyRowsOf, MAIN_PREFIX, partitionOfId, type PersonKeyRows } from './person-key-rows.js';
import { ConcurrentUpdateError, KeyTakenError } from './storage-errors.js';
import { forEachBounded, MAX_TRANSACTION_ACTIONS } from './transactions.js';

/** Transactions in flight at once (as submitChunked keeps). */
const PARALLEL_TRANSACTIONS = 8;
/** Rows examined one by one at once, after their transaction failed. */
const PARALLEL_SINGLE_ROWS = 8;

/** The key rows a write of `before` into `after` keeps, adds and drops. */
export interface KeyRowChanges {
  /** Every key row `after` needs. */
  readonly rows: KeyRow[];
  readonly added: KeyRow[];
  readonly removed: KeyRow[];
}

const identity = (row: Pick<KeyRow, 'partitionKey' | 'rowKey'>): string => `${row.partitionKey}/${row.rowKey}`;

export function keyRowChanges(before: PersonRecord | undefined, after: PersonRecord): KeyRowChanges {
  const oldRows = before === undefined ? [] : keyRowsOf(before);
  const rows = keyRowsOf(after);
  const oldIds = new Set(oldRows.map(identity));
  const newIds = new Set(rows.map(identity));
  return { rows, added: rows.filter((r) => !oldIds.has(identity(r))), removed: oldRows.filter((r) => !newIds.has(identity(r))) };
}

/**
 * The actions of one person's write in its own partition: the main row (created, or replaced guarded by the ETag
 * `before` was read with), its co-located key rows (created when new, else rewritten), and its dropped copies deleted.
 * A dropped co-located pointer is released after the write, like any pointer (one written before pointers went into
 * transactions may be missing, and deleting a missing row fails the transaction).
 */
export function personWriteActions(before: PersonRecord | undefined, after: PersonRecord, changes: KeyRowChanges): TransactionAction[] {
  const partitionKey = partitionOfId(after.id);
  const props = personToProperties(after);
  const mainEntity = { partitionKey, rowKey: MAIN_PREFIX + after.id, ...props };
  const actions: TransactionAction[] = [before === undefined ? ['create', mainEntity] : ['update', mainEntity, 'Replace', { etag: before.etag }]];
  for (const row of changes.rows.filter((r) => r.colocated)) {
    const entity = row.copy ? { partitionKey, rowKey: row.rowKey, ref: after.id, ...props } : { partitionKey, rowKey: row.rowKey, ref: after.id };
    actions.push(changes.added.includes(row) ? ['create', entity] : ['upsert', entity, 'Replace']);
  }
  for (const row of changes.removed.filter((r) => r.copy)) actions.push(['delete', { partitionKey, rowKey: row.rowKey }]);
  return actions;
}

interface Plan {
  readonly before: PersonRecord;
  readonly after: PersonRecord;
  readonly changes: KeyRowChanges;
  readonly actions: TransactionAction[];
  /** The pointers claimed for this write, with each claim's ETag. */
  readonly claims: Map<KeyRow, string | undefined>;
  /** Not written here: the caller writes it alone. */
  failed: boolean;
  /** The main row's ETag once written. */
  etag?: string | undefined;
}

/** One row's action in a transaction of rows that do not depend on each other (pointer claims and reasserts). */
interface RowAction {
  readonly plan: Plan;
  readonly row: KeyRow;
  readonly action: TransactionAction;
}

export class PeopleBatchUpdate {
  constructor(
    private readonly table: TableClient,
    private readonly keys: PersonKeyRows,
  ) {}

  /**
   * Writes each `after` over its `before` (read with its ETag); answers each person as written, or undefined when it
   * was not written (see the head of this file). `after` carries the version and keys the write stores.
   */
  async updateMany(pairs: readonly { before: PersonRecord; after: PersonRecord }[]): Promise<(PersonRecord | undefined)[]> {
    const plans: (Plan | undefined)[] = [];
    const ids = new Set<string>();
    const claimed = new Set<string>();
    for (const { before, after } of pairs) {
      const changes = keyRowChanges(before, after);
      const pointers = changes.added.filter((r) => !r.colocated);
      // Alone: a person without the ETag it was read with, a second write of one person, a pointer two people claim.
      if (before.etag === undefined || ids.has(before.id) || pointers.some((r) => claimed.has(identity(r)))) {
        plans.push(undefined);
        continue;
      }
      ids.add(before.id);
      for (const row of pointers) claimed.add(identity(row));
      plans.push({ before, after, changes, actions: personWriteActions(before, after, changes), claims: new Map(), failed: false });
    }
    const live = (): Plan[] => plans.filter((plan): plan is Plan => plan !== undefined && !plan.failed);
    await this.claimPointers(live());
    await this.writePeople(live());
    const written = live();
    await this.reassertPointers(written);
    await forEachBounded(
      plans.filter((plan): plan is Plan => plan?.failed === true && plan.claims.size > 0),
      PARALLEL_SINGLE_ROWS,
      (plan) => this.keys.releaseAll([...plan.claims.keys()], plan.after.id),
    );
    await forEachBounded(
      written.filter((plan) => plan.changes.removed.some((r) => !r.copy)),
      PARALLEL_SINGLE_ROWS,
      (plan) => this.keys.releaseAll(plan.changes.removed.filter((r) => !r.copy), plan.after.id),
    );
    return plans.map((plan) => (plan === undefined || plan.failed ? undefined : plan.etag === undefined ? plan.after : { ...plan.after, etag: plan.etag }));
  }

  /** Step 1: inserts the new pointers; a failed transaction's rows are claimed one by one (a held key fails its person). */
  private async claimPointers(plans: Plan[]): Promise<void> {
    const rows = plans.flatMap((plan) =>
      plan.changes.added.filter((r) => !r.colocated).map((row): RowAction => ({ plan, row, action: ['create', { partitionKey: row.partitionKey, rowKey: row.rowKey, ref: plan.after.id }] })),
    );
    await this.submitRows(rows, async ({ plan, row }) => {
      if (plan.failed) return;
      try {
        plan.claims.set(row, await this.keys.claim(row, plan.after.id));
      } catch (error) {
        // A held key, or a row that kept changing: the person is written alone from a fresh read.
        if (!(error instanceof KeyTakenError) && !(error instanceof ConcurrentUpdateError)) throw error;
        plan.failed = true;
      }
    });
    for (const plan of plans) if (plan.claims.size < plan.changes.added.filter((r) => !r.colocated).length) plan.failed = true;
  }

  /** Step 2: the people's own transactions, several people to a transaction; a failed one fails each of its people. */
  private async writePeople(plans: Plan[]): Promise<void> {
    await forEachBounded(chunkPlans(plans), PARALLEL_TRANSACTIONS, async (chunk) => {
      try {
        const response = await this.table.submitTransaction(chunk.flatMap((plan) => plan.actions));
        let index = 0;
        for (const plan of chunk) {
          plan.etag = response.subResponses[index]?.etag;
          index += plan.actions.length;
        }
      } catch {
        // Whatever failed it (a person changed or gone, a co-located row held or left by a crash, storage trouble),
        // each person is written alone by the caller, whose single write tells these apart.
        for (const plan of chunk) plan.failed = true;
      }
    });
  }

  /** Step 3: rewrites each claimed pointer guarded by its claim's ETag; a failed transaction's rows one by one. */
  private async reassertPointers(plans: Plan[]): Promise<void> {
    const rows = plans.flatMap((plan) =>
      [...plan.claims].map(([row, etag]): RowAction => ({ plan, row, action: ['update', { partitionKey: row.partitionKey, rowKey: row.rowKey, ref: plan.after.id }, 'Replace', { etag }] })),
    );
    await this.submitRows(rows, ({ plan, row }) => this.keys.reassert(row, plan.after.id, plan.claims.get(row)));
  }

  /**
   * Submits independent single-row actions in transactions per partition; records each claim's ETag on success, and
   * hands every row of a failed transaction to `alone`.
   */
  private async submitRows(rows: RowAction[], alone: (row: RowAction) => Promise<void>): Promise<void> {
    const byPartition = new Map<string, RowAction[]>();
    for (const row of rows) byPartition.set(row.row.partitionKey, [...(byPartition.get(row.row.partitionKey) ?? []), row]);
    const chunks = [...byPartition.values()].flatMap((list) => Array.from({ length: Math.ceil(list.length / MAX_TRANSACTION_ACTIONS) }, (_, i) => list.slice(i * MAX_TRANSACTION_ACTIONS, (i + 1) * MAX_TRANSACTION_ACTIONS)));
    await forEachBounded(chunks, PARALLEL_TRANSACTIONS, async (chunk) => {
      try {
        const response = await this.table.submitTransaction(chunk.map((row) => row.action));
        chunk.forEach(({ plan, row, action }, i) => {
          if (action[0] === 'create') plan.claims.set(row, response.subResponses[i]?.etag);
        });
      } catch {
        await forEachBounded(chunk, PARALLEL_SINGLE_ROWS, alone);
      }
    });
  }
}

/** The people's writes grouped by partition into transactions within the action and body limits, people kept whole. */
function chunkPlans(plans: Plan[]): Plan[][] {
  const byPartition = new Map<string, Plan[]>();
  for (const plan of plans) byPartition.set(partitionOfId(plan.after.id), [...(byPartition.get(partitionOfId(plan.after.id)) ?? []), plan]);
  const chunks: Plan[][] = [];
  for (const list of byPartition.values()) {
    let chunk: Plan[] = [];
    let actions = 0;
    let bytes = 0;
    for (const plan of list) {
      const size = plan.actions.reduce((sum, action) => sum + transactionActionBytes(action), 0);
      if (chunk.length > 0 && (actions + plan.actions.length > MAX_TRANSACTION_ACTIONS || bytes + size > TRANSACTION_BODY_BUDGET)) {
        chunks.push(chunk);
        chunk = [];
        actions = 0;
        bytes = 0;
      }
      chunk.push(plan);
      actions += plan.actions.length;
      bytes += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
  }
  return chunks;
}
