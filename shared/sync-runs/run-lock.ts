// The rule of the per-integration run lock (rows in sync-run-repository.ts): a run holds it from its start until it
// ends; a run that dies stops renewing it and it expires, so the next run may take it over. Renewal rides on the
// commits of the run's own steps, guarded by the lock's ETag, so only the holder extends or releases it.
import type { LockChange, SyncLockRecord } from '../storage/sync-run-repository.js';

export interface SyncLockOptions {
  /** How long a run may go without committing a step before another run may take its lock. */
  readonly ttlInMs: number;
}

/** An hour: a step waits its turn in a queue shared by every integration, and may sit out long Graph throttling. */
export const DEFAULT_LOCK_OPTIONS: SyncLockOptions = { ttlInMs: 60 * 60 * 1000 };

export function newLock(integrationId: string, runId: string, now: Date, options: SyncLockOptions): SyncLockRecord {
  return { integrationId, runId, acquiredAt: now.toISOString(), expiresAt: new Date(now.getTime() + options.ttlInMs).toISOString() };
}

export function isExpired(lock: SyncLockRecord, now: Date): boolean {
  return Date.parse(lock.expiresAt) <= now.getTime();
}

export type LockStanding = { readonly held: true; readonly change: LockChange | undefined } | { readonly held: false };

/**
 * Whether `runId` still holds the lock at a step's commit, and what the commit does to it: release it when the run
 * ends, renew it once less than half its time is left, else leave it.
 */
export function lockStanding(lock: SyncLockRecord | undefined, runId: string, now: Date, ending: boolean, options: SyncLockOptions): LockStanding {
  if (lock === undefined || lock.runId !== runId) return { held: false };
  if (ending) return { held: true, change: { release: lock, at: now.toISOString() } };
  const remaining = Date.parse(lock.expiresAt) - now.getTime();
  if (remaining >= options.ttlInMs / 2) return { held: true, change: undefined };
  return { held: true, change: { renew: { ...lock, expiresAt: new Date(now.getTime() + options.ttlInMs).toISOString() } } };
}
