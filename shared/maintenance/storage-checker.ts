// The storage checker: walks every table one page at a time and verifies each derived row against the row it derives
// from (key rows and copies against people, index rows against people, uniqueness and index rows against groups,
// member-side rows against group-side rows, memberships against groups and people, catalog rows against
// integrations). With `repair`, what can be derived is fixed as it is found: missing rows are written from their
// source, stale and orphan rows deleted, every write guarded by the ETag of the rows it was derived from.
//
// A row that looks wrong is read again before it is reported, and checked as it is now: a write that landed since the
// page was listed (a repair of a related row, or a request of a live tenant) is not reported as a problem.
// Rows are checked 16 at a time; with `repair`, the second looks (and so the repairs) run one at a time, so two
// repairs of related rows never race each other. Memory holds one page, a bounded memo and the kept problems,
// whatever the tenant's size.
import { GroupRepository } from '../storage/group-repository.js';
import { IntegrationRepository } from '../storage/integration-repository.js';
import { PeopleRepository } from '../storage/people-repository.js';
import { isNotFound } from '../storage/storage-errors.js';
import type { TableClients, TableName } from '../storage/table-clients.js';
import { forEachBounded } from '../storage/transactions.js';
import { BoundedMemo, type CheckContext, type RowCheck, type TableCheck } from './check-context.js';
import { checkGroupsRow } from './group-checks.js';
import { checkMembersRow } from './membership-checks.js';
import { checkPeopleRow } from './people-checks.js';
import { checkCatalogRow, checkIntegrationRow } from './root-checks.js';
import { DEFAULT_MAX_PROBLEMS_KEPT, ProblemLog, type StorageProblem } from './storage-problems.js';
import { pagesOf, readRow, type Row } from './table-rows.js';
import { checkIndexRow } from './user-index-checks.js';

export type { ProblemKind, StorageProblem } from './storage-problems.js';

export interface CheckStorageOptions {
  /** Fix what can be derived (default: only report). */
  repair?: boolean;
  /** Receives every problem as it is found (and, with `repair`, after its repair ran). */
  onProblem?: (problem: StorageProblem) => void;
  /** Rows per storage page (default 1,000, the most Table Storage returns). */
  pageSize?: number;
  /** Most problems kept in the result (default 10,000); all are counted and passed to `onProblem`. */
  maxProblemsKept?: number;
}

export interface StorageCheckResult {
  /** The problems found, in walk order (at most `maxProblemsKept`). */
  problems: StorageProblem[];
  problemCount: number;
  /** How many of them the repair fixed. */
  repaired: number;
  rowsChecked: number;
}

/** Tables in walk order: the root first, then people before the rows that point at them. */
const TABLE_CHECKS: readonly TableCheck[] = [
  { table: 'integrations', check: checkIntegrationRow },
  { table: 'people', check: checkPeopleRow },
  { table: 'userindex', check: checkIndexRow },
  { table: 'groups', check: checkGroupsRow },
  { table: 'members', check: checkMembersRow },
  { table: 'attributes', check: checkCatalogRow },
];
const DEFAULT_PAGE_SIZE = 1_000;
/** Rows of one page checked at a time (each costs a few point reads). */
const ROW_PARALLELISM = 16;
const MEMO_CAPACITY = 10_000;

/** Thrown by the first report of a row's first look, which only asks whether the row deserves a second. */
class Suspect extends Error {}

export async function checkStorage(tables: TableClients, options: CheckStorageOptions = {}): Promise<StorageCheckResult> {
  const log = new ProblemLog(options.repair ?? false, options.maxProblemsKept ?? DEFAULT_MAX_PROBLEMS_KEPT, options.onProblem);
  const memo = new BoundedMemo(MEMO_CAPACITY);
  const base = {
    tables,
    people: new PeopleRepository(tables.people),
    groups: new GroupRepository(tables.groups),
    integrations: await integrationIds(tables),
  };
  const firstLook: CheckContext = {
    ...base,
    report: () => Promise.reject(new Suspect()),
    remember: (key, read) => memo.get(key, read),
  };
  const secondLook: CheckContext = { ...base, report: (problem, repair) => log.report(problem, repair), remember: (_key, read) => read() };

  let repairs = Promise.resolve();
  const secondLookOf = (row: Row, table: TableName, check: RowCheck): Promise<void> => {
    const look = async (): Promise<void> => {
      const current = await readRow(tables[table], row.partitionKey, row.rowKey);
      if (current !== undefined) await check(current, secondLook);
    };
    if (options.repair !== true) return look();
    const queued = repairs.then(look);
    repairs = queued.catch(() => undefined);
    return queued;
  };

  let rowsChecked = 0;
  for (const { table, check } of TABLE_CHECKS) {
    for await (const page of pagesOf(tables[table], options.pageSize ?? DEFAULT_PAGE_SIZE)) {
      await forEachBounded(page, ROW_PARALLELISM, async (row: Row) => {
        try {
          await check(row, firstLook);
          return;
        } catch (error) {
          if (!(error instanceof Suspect)) throw error;
        }
        await secondLookOf(row, table, check);
      });
      rowsChecked += page.length;
    }
  }
  return { problems: log.problems, problemCount: log.count, repaired: log.repaired, rowsChecked };
}

async function integrationIds(tables: TableClients): Promise<Set<string>> {
  try {
    return new Set((await new IntegrationRepository(tables.integrations).list()).map((integration) => integration.id));
  } catch (error) {
    if (isNotFound(error)) return new Set();
    throw error;
  }
}
