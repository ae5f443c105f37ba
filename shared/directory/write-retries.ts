// The one read-modify-write retry loop: an attempt that lost an ETag race (ConcurrentUpdateError) re-reads and runs
// again after a jittered, growing pause; after MAX_WRITE_ATTEMPTS the request gives up with StillConflictingError,
// a race outcome that edges answer as a conflict to retry (SCIM 409), never as an internal error.
import { ConcurrentUpdateError } from '../storage/storage-errors.js';
import { StillConflictingError } from './errors.js';

/** Attempts of one read-modify-write before a request gives up (each failed attempt lost a race). */
export const MAX_WRITE_ATTEMPTS = 8;
const BACKOFF_BASE_MS = 5;

export async function backoff(attempt: number): Promise<void> {
  const ms = BACKOFF_BASE_MS * 2 ** attempt * (0.5 + Math.random());
  await new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `attempt` (which reads, computes and writes guarded by the ETag it read) until it does not lose a race. */
export async function retryConcurrentUpdates<T>(what: string, attempt: (attemptNumber: number) => Promise<T>): Promise<T> {
  for (let attemptNumber = 0; ; attemptNumber++) {
    try {
      return await attempt(attemptNumber);
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
      if (attemptNumber + 1 >= MAX_WRITE_ATTEMPTS) throw new StillConflictingError(`${what} kept changing under ${MAX_WRITE_ATTEMPTS} attempts to write it`);
      await backoff(attemptNumber);
    }
  }
}
