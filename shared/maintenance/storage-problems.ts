// What the storage checker reports: one problem per inconsistent row, typed by kind, and the log that collects them
// (bounded: a badly broken tenant must not fill the checker's memory) and runs their repairs.
import type { TableName } from '../storage/table-clients.js';

/** Every inconsistency the checker knows, by the row family it concerns. */
export const PROBLEM_KINDS = [
  // any table
  'unknown-row', // a row no layout explains (left alone)
  'unreadable-row', // a row whose properties do not parse (left alone)
  'misplaced-row', // a source row whose keys do not match its content (left alone)
  // people: main rows and their key rows
  'person-keys-not-derived', // nameKeys / usernameKey differ from what the person's names derive
  'missing-key-row', // a key the person holds has no row naming it
  'stale-key-row', // a key row naming a person that does not exist or does not hold the key
  'misshapen-key-row', // a pointer where a co-located copy belongs, or a copy where a pointer belongs
  'stale-key-copy', // a co-located copy that differs from the main row it copies
  'duplicate-key', // two people hold the same key (left alone: which one keeps it is a human decision)
  'leftover-tombstone', // the marker a person delete writes before removing the main row, left by a delete cut short
  // userindex
  'missing-index-row',
  'stale-index-row',
  // groups
  'unknown-integration', // a group of an integration that does not exist (left alone)
  'missing-group-name-row',
  'stale-group-name-row',
  'duplicate-group-name', // two groups of one integration share a displayName (left alone)
  'missing-group-external-id-row',
  'stale-group-external-id-row',
  // members
  'missing-member-side-row', // a group-side membership row without its member-side twin
  'stale-member-side-row', // a member-side row without its group-side twin, or not where its keys put it
  'orphan-membership', // a membership of a deleted group or of a member the integration cannot see
  'unfinished-membership-clean-up', // the journal entry of a group's membership clean-up that stopped half-way
  // attributes
  'orphan-catalog-row', // a catalog row of an integration that does not exist
] as const;

export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface StorageProblem {
  kind: ProblemKind;
  table: TableName;
  partitionKey: string;
  rowKey: string;
  /** What is wrong, naming ids (never a secret). */
  detail: string;
  /** Whether the repair ran and fixed it (always false without `repair`). */
  repaired: boolean;
}

export type FoundProblem = Omit<StorageProblem, 'repaired'>;

/** Fixes one problem; false when a row changed since it was read (the guard refused) or the fix was refused. */
export type Repair = () => Promise<boolean>;

/** Most problems a check keeps in its result; all of them are counted and passed to `onProblem`. */
export const DEFAULT_MAX_PROBLEMS_KEPT = 10_000;

export class ProblemLog {
  readonly problems: StorageProblem[] = [];
  count = 0;
  repaired = 0;

  constructor(
    private readonly repair: boolean,
    private readonly maxKept: number,
    private readonly onProblem?: (problem: StorageProblem) => void,
  ) {}

  async report(found: FoundProblem, fix?: Repair): Promise<void> {
    const repaired = this.repair && fix !== undefined ? await fix() : false;
    const problem: StorageProblem = { ...found, repaired };
    this.count++;
    if (repaired) this.repaired++;
    if (this.problems.length < this.maxKept) this.problems.push(problem);
    this.onProblem?.(problem);
  }
}
