// Members that left a view, recorded so a member add can trust what it saw of its members a while ago instead of
// reading each one again (source-groups.ts addMembers; docs/performance.md, "The departures record").
//
// Why it is safe. A member add writes its rows, then reads the departures recorded since (now − trust window − margin)
// and reads again each member that is listed there or that this instance has not seen in view within the trust window
// (member-existence-cache.ts). Take a member it trusts, seen in view at time s (s ≥ now − trust window), and a change
// that takes the member out of view, committed after s. The change records the departure at a time d before its commit
// and again after the commit when that came more than MAX_DEPARTURE_LAG_MS after d, so some departure of it is recorded
// no earlier than (commit − lag) > (s − lag) ≥ (now − trust window − margin): inside the add's window. Either the add's
// read of the departures comes after that record (it sees the member listed and reads it) or before it; then the add's
// rows, written before its read, were there before the change's clean-up, which follows its records, looked for them.
// The margin covers that lag and the clock difference between instances.
import type { PersonRecord } from './model/person-record.js';
import type { DepartureStore } from './model/stores.js';
import { MEMBER_TRUST_MS } from './member-existence-cache.js';
import { isVisible } from './user-view.js';

/** Longest time between a departure's first record and its change's commit before the departure is recorded again. */
export const MAX_DEPARTURE_LAG_MS = 60_000;
/** How far before the trust window an add's read of the departures starts: the lag above plus clock differences. */
export const DEPARTURE_MARGIN_MS = 5 * 60_000;
/**
 * How far another instance's clock may run ahead of an add's without its prune taking rows the add's window needs. A
 * pruning instance deletes rows older than its own now − DEPARTURE_RETENTION_MS; an add reads from its own
 * now − MEMBER_TRUST_MS − DEPARTURE_MARGIN_MS.
 */
export const PRUNE_CLOCK_ALLOWANCE_MS = 55 * 60_000;
/** Departures kept: older rows are outside every add's window, even one read by an instance whose clock runs behind. */
export const DEPARTURE_RETENTION_MS = MEMBER_TRUST_MS + DEPARTURE_MARGIN_MS + PRUNE_CLOCK_ALLOWANCE_MS;
/** At most one prune per instance in this time, of at most PRUNE_ROWS rows. */
const PRUNE_INTERVAL_MS = 10 * 60_000;
const PRUNE_ROWS = 1000;

export class MemberDepartures {
  private lastPrune = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: DepartureStore,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Runs `commit`, the write that takes these members out of a view, with their departure recorded just before it
   * (and again after it, when it committed late). A commit that fails leaves a departure of members still in view:
   * harmless, an add reads them once more.
   */
  async around<T>(memberIds: readonly string[], commit: () => Promise<T>): Promise<T> {
    if (memberIds.length === 0) return commit();
    const recordedAt = this.now();
    await this.store.record(memberIds, recordedAt);
    const result = await commit();
    const committedAt = this.now();
    if (committedAt - recordedAt > MAX_DEPARTURE_LAG_MS) await this.store.record(memberIds, committedAt);
    if (committedAt - this.lastPrune >= PRUNE_INTERVAL_MS) {
      this.lastPrune = committedAt;
      // Housekeeping: rows it leaves are outside every window, and a later prune removes them.
      await this.store.pruneBefore(committedAt - DEPARTURE_RETENTION_MS, PRUNE_ROWS).catch(() => undefined);
    }
    return result;
  }

  /** The members that left a view since `trustedSince` (ms) less the margin; undefined when too many to list. */
  since(trustedSince: number): Promise<Set<string> | undefined> {
    return this.store.since(trustedSince - DEPARTURE_MARGIN_MS);
  }
}

/**
 * Whether a write takes the person out of some integration's view (after: undefined for a delete). A Content Manager
 * user is in the view of every integration without a record of it, so losing the Content Manager part counts too.
 */
export function leavesSomeView(before: PersonRecord, after: PersonRecord | undefined): boolean {
  if (before.cm !== undefined && after?.cm === undefined) return true;
  const integrations = new Set([...Object.keys(before.sources), ...Object.keys(after?.sources ?? {})]);
  return [...integrations].some((integrationId) => isVisible(before, integrationId) && (after === undefined || !isVisible(after, integrationId)));
}
