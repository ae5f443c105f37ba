// GET /api/admin/integrations/{id}/provisioning-log?from=&to=&resource=&pageSize=&continuationToken=
// An integration's provisioning log, newest first, paged with a continuation token of the same shape as the other
// admin lists (continuation-token.ts). `from` and `to` are ISO 8601 date-times (or dates: `from` a day's start, `to` its
// end), both inclusive; the range is clamped to what retention keeps, so a read never walks more than that many days.
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { settings } from '../config.js';
import type { ProvisioningLogEntry } from '../provisioning-log/log-entry.js';
import type { Services } from '../services.js';
import { ForeignLogPositionError, type LogPosition } from '../storage/provisioning-log-repository.js';
import { AdminError, json, originOf } from './admin-http.js';
import { isWellFormedContinuationToken } from './continuation-token.js';

export const PROVISIONING_LOG_PAGE = { default: 50, max: 200 } as const;
/** Longest `resource` accepted (resource ids are far shorter). */
export const MAX_RESOURCE_PARAMETER_LENGTH = 256;

const DAY_MS = 86_400_000;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function invalid(message: string): AdminError {
  return new AdminError(400, 'invalidRequest', message);
}

function invalidContinuationToken(): AdminError {
  return new AdminError(400, 'invalidContinuationToken', 'continuationToken is not a token this API handed out for this query; start again without it');
}

/** A time parameter: a date-time with its offset, or a date (`to`: the end of that day). */
function timeParameter(request: HttpRequest, name: 'from' | 'to'): Date | undefined {
  const raw = request.query.get(name);
  if (raw === null || raw === '') return undefined;
  const dateOnly = DATE_ONLY.test(raw);
  const time = dateOnly || DATE_TIME.test(raw) ? Date.parse(dateOnly ? `${raw}T00:00:00Z` : raw) : Number.NaN;
  if (!Number.isFinite(time)) throw invalid(`${name} must be an ISO 8601 date or date-time with an offset, e.g. 2025-01-31 or 2025-01-31T12:00:00Z`);
  return new Date(dateOnly && name === 'to' ? time + DAY_MS - 1 : time);
}

function pageSizeParameter(request: HttpRequest): number {
  const raw = request.query.get('pageSize');
  const pageSize = raw === null ? PROVISIONING_LOG_PAGE.default : Number(raw);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > PROVISIONING_LOG_PAGE.max) throw invalid(`pageSize must be a whole number from 1 to ${PROVISIONING_LOG_PAGE.max}`);
  return pageSize;
}

function resourceParameter(request: HttpRequest): string | undefined {
  const raw = request.query.get('resource');
  if (raw === null || raw === '') return undefined;
  if (raw.length > MAX_RESOURCE_PARAMETER_LENGTH) throw invalid(`resource must be a resource id of at most ${MAX_RESOURCE_PARAMETER_LENGTH} characters`);
  return raw;
}

function positionParameter(request: HttpRequest): LogPosition | undefined {
  const token = request.query.get('continuationToken');
  if (token === null || token === '') return undefined;
  if (!isWellFormedContinuationToken(token)) throw invalidContinuationToken();
  const { nextPartitionKey, nextRowKey } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { nextPartitionKey: string; nextRowKey?: string };
  return { partitionKey: nextPartitionKey, ...(nextRowKey === undefined ? {} : { rowKey: nextRowKey }) };
}

export function continuationTokenOf(position: LogPosition): string {
  return Buffer.from(JSON.stringify({ nextPartitionKey: position.partitionKey, ...(position.rowKey === undefined ? {} : { nextRowKey: position.rowKey }) })).toString('base64');
}

/** An entry as the admin API shows it: every field present, null when it does not apply. */
export function entryView(entry: ProvisioningLogEntry) {
  return {
    at: entry.at,
    source: entry.source,
    operation: entry.operation,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId ?? null,
    displayName: entry.displayName ?? null,
    status: entry.status ?? null,
    outcome: entry.outcome,
    correlationId: entry.correlationId,
    errorType: entry.errorType ?? null,
  };
}

/** The time range asked for, within what retention keeps (a day more, for the day the timer has not pruned yet). */
function clampedRange(from: Date | undefined, to: Date | undefined, now: Date, retentionDays: number): { from: Date; to: Date } {
  const earliest = now.getTime() - (retentionDays + 1) * DAY_MS;
  const latest = now.getTime() + DAY_MS; // another instance's clock may run ahead
  if (from !== undefined && to !== undefined && from > to) throw invalid('from must not be later than to');
  return {
    from: new Date(Math.max(from?.getTime() ?? now.getTime() - retentionDays * DAY_MS, earliest)),
    to: new Date(Math.min(to?.getTime() ?? latest, latest)),
  };
}

export async function getProvisioningLog(request: HttpRequest, all: Services, now: Date = new Date()): Promise<HttpResponseInit> {
  const id = request.params.id ?? '';
  const requested = { from: timeParameter(request, 'from'), to: timeParameter(request, 'to') };
  const pageSize = pageSizeParameter(request);
  const resourceId = resourceParameter(request);
  const after = positionParameter(request);
  if ((await all.integrations.get(id, originOf(request))) === undefined) throw new AdminError(404, 'notFound', `Integration ${id} not found`);
  const { from, to } = clampedRange(requested.from, requested.to, now, settings().PROVISIONING_LOG_RETENTION_DAYS);
  try {
    const page = await all.provisioningLog.page({ integrationId: id, from, to, pageSize, ...(resourceId === undefined ? {} : { resourceId }), ...(after === undefined ? {} : { after }) });
    return json(200, {
      integrationId: id,
      from: from.toISOString(),
      to: to.toISOString(),
      entries: page.entries.map(entryView),
      ...(page.next === undefined ? {} : { continuationToken: continuationTokenOf(page.next) }),
    });
  } catch (error) {
    if (error instanceof ForeignLogPositionError) throw invalidContinuationToken();
    throw error;
  }
}
