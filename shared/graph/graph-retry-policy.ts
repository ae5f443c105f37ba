// When to try a Graph request again and how long to wait first. 429, 503 and 504 are retried: after Retry-After when
// Graph sends it (seconds or an HTTP date), else after an exponential backoff with full jitter. Tries are bounded, and
// so is each wait, so a run never sleeps without end on a misbehaving answer.

export interface GraphRetryOptions {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
  /** The first backoff's ceiling when Graph sends no Retry-After; doubled on each further retry. */
  readonly baseDelayInMs: number;
  /** No backoff ceiling grows past this. */
  readonly maxBackoffInMs: number;
  /** A longer Retry-After is cut to this (Graph has been seen asking for 315 s). */
  readonly maxRetryAfterInMs: number;
}

export const DEFAULT_GRAPH_RETRY_OPTIONS: GraphRetryOptions = {
  maxAttempts: 8,
  baseDelayInMs: 1_000,
  maxBackoffInMs: 60_000,
  maxRetryAfterInMs: 300_000,
};

const RETRIED_STATUSES = new Set([429, 503, 504]);

export function isRetriedStatus(status: number): boolean {
  return RETRIED_STATUSES.has(status);
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterInMs(header: string | null, nowInMs: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowInMs);
}

/**
 * The wait before retry number `retry` (1 for the first retry): Retry-After when given (bounded), else a full-jitter
 * exponential backoff, `random() * min(maxBackoff, base * 2^(retry-1))`, at least 1 ms so that the wait is counted.
 */
export function retryDelayInMs(retryAfterHeader: string | null, retry: number, options: GraphRetryOptions, random: () => number, nowInMs: number): number {
  const fromHeader = retryAfterInMs(retryAfterHeader, nowInMs);
  if (fromHeader !== undefined) return Math.min(fromHeader, options.maxRetryAfterInMs);
  const ceiling = Math.min(options.maxBackoffInMs, options.baseDelayInMs * 2 ** (retry - 1));
  return Math.max(1, Math.round(random() * ceiling));
}
