// One structured line per request (or Graph call, or sync step), written through the invocation context so that the
// Functions host forwards it to Application Insights with the invocation's operation id. The line is a compact JSON
// object as the whole message: in Application Insights it lands in `traces.message` and is read back with
// `parse_json(message)` (docs/operations.md). Only the fields below are ever written: no headers, no bodies, no
// tokens, no user attributes; ids are allow-listed and free text is masked.
import type { InvocationContext } from '@azure/functions';
import { randomBytes } from 'node:crypto';
import { maskedExcerpt } from './mask-secrets.js';

export type RequestOutcome = 'success' | 'clientError' | 'fault';

export interface RequestLogEntry {
  /** Dotted name of what was done: `scim.users.patch`, `admin.integrations.post`, `graph.users.delta`. */
  operation: string;
  /** HTTP status answered (for an outgoing call, received); 0 when no response was produced. */
  status: number;
  durationMs: number;
  /** The integration the request belongs to, once known. */
  integrationId?: string;
  /** Derived from `status` when omitted: < 400 success, 4xx clientError, 5xx or none fault. */
  outcome?: RequestOutcome;
  /** The id a 500 envelope shows the caller; defaults to the invocation id. */
  correlationId?: string;
  /** SCIM error type of a 4xx answer (`invalidFilter`, `uniqueness`, …). */
  scimType?: string;
  /** Retry-After of a throttled answer, in milliseconds. */
  retryAfterMs?: number;
  /** Short free text about a failure; cut to DETAIL_MAX_LENGTH, then masked. */
  detail?: string;
}

/** The value of the `event` field, first in every line, for queries to filter on. */
export const REQUEST_LOG_EVENT = 'request';
export const DETAIL_MAX_LENGTH = 300;
/** Longest fault text (message and stack) logged by logFault. */
export const FAULT_TEXT_MAX_LENGTH = 4000;

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const OPERATION_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const SCIM_TYPE_PATTERN = /^[A-Za-z]{1,32}$/;
/** What an id that is not id-shaped (an e-mail, a token, injected text) is logged as. */
const INVALID = '(invalid)';

export function outcomeForStatus(status: number): RequestOutcome {
  if (!Number.isInteger(status) || status < 100 || status >= 500) return 'fault';
  return status >= 400 ? 'clientError' : 'success';
}

/** Starts a clock; the returned function gives the whole milliseconds elapsed since. */
export function startRequestTimer(now: () => number = performance.now.bind(performance)): () => number {
  const startedAt = now();
  return () => Math.max(0, Math.round(now() - startedAt));
}

const allowed = (value: string | undefined, pattern: RegExp): string | undefined =>
  value === undefined ? undefined : pattern.test(value) ? value : INVALID;

const nonNegativeInteger = (value: number | undefined): number | undefined =>
  value !== undefined && Number.isFinite(value) ? Math.max(0, Math.round(value)) : undefined;

/** The log line of an entry: one line of JSON with a fixed field order, absent fields left out. */
export function formatRequestLogLine(entry: RequestLogEntry, defaultCorrelationId?: string): string {
  const detail = entry.detail === undefined ? undefined : maskedExcerpt(entry.detail, DETAIL_MAX_LENGTH);
  const line = {
    event: REQUEST_LOG_EVENT,
    operation: OPERATION_PATTERN.test(entry.operation) ? entry.operation : INVALID,
    outcome: entry.outcome ?? outcomeForStatus(entry.status),
    status: Number.isInteger(entry.status) ? entry.status : 0,
    durationMs: nonNegativeInteger(entry.durationMs) ?? 0,
    integrationId: allowed(entry.integrationId, ID_PATTERN),
    correlationId: allowed(entry.correlationId ?? defaultCorrelationId, ID_PATTERN),
    scimType: allowed(entry.scimType, SCIM_TYPE_PATTERN),
    retryAfterMs: nonNegativeInteger(entry.retryAfterMs),
    detail,
  };
  return JSON.stringify(line); // undefined members are dropped; strings are escaped, so it stays one line
}

/** Writes the entry's line at the level of its outcome: info, warn (clientError) or error (fault). */
export function logRequestOutcome(context: InvocationContext, entry: RequestLogEntry): void {
  const line = formatRequestLogLine(entry, context.invocationId);
  switch (entry.outcome ?? outcomeForStatus(entry.status)) {
    case 'success':
      context.info(line);
      break;
    case 'clientError':
      context.warn(line);
      break;
    case 'fault':
      context.error(line);
      break;
  }
}

/**
 * Logs a fault we did not expect (with its stack, cut short, secrets masked) under a fresh correlation id and returns the id, for
 * the generic 500 answer that shows only that id.
 */
export function logFault(context: InvocationContext, edge: string, error: unknown): string {
  const correlationId = randomBytes(8).toString('hex');
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
  context.error(`${edge} fault ${correlationId}: ${maskedExcerpt(text, FAULT_TEXT_MAX_LENGTH)}`);
  return correlationId;
}
