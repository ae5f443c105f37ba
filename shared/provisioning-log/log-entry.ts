// One row of the provisioning log: a SCIM write or a Graph change applied to one resource of one integration. What a
// row may hold is fixed here: when, which integration, what was done to which resource, how it ended, and the id that
// ties it to the request's log lines. No request or response body, no header, no attribute value other than the
// resource's display name (a userName is an e-mail-like UPN, personal data: never recorded).
import type { RequestOutcome } from '../observability/request-log.js';

export type ProvisioningSource = 'scim' | 'graph';
export type ProvisioningOperation = 'create' | 'replace' | 'update' | 'delete';
export type ProvisioningResourceType = 'User' | 'Group';

export interface ProvisioningLogEntry {
  /** When the change was answered (SCIM) or applied (Graph), ISO 8601 UTC with milliseconds. */
  readonly at: string;
  readonly integrationId: string;
  readonly source: ProvisioningSource;
  readonly operation: ProvisioningOperation;
  readonly resourceType: ProvisioningResourceType;
  /** Absent when no resource was named or made (e.g. a POST refused before it created anything). */
  readonly resourceId?: string;
  readonly displayName?: string;
  /** HTTP status answered (SCIM) or received (Graph); absent for a Graph change that made no call. */
  readonly status?: number;
  readonly outcome: RequestOutcome;
  /** The request's x-ms-request-id or the invocation id (SCIM); the sync run's id (Graph). */
  readonly correlationId: string;
  /** A fixed error token of a failure: the SCIM scimType, or Graph's error code. */
  readonly errorType?: string;
}

/** Longest display name and resource id kept; longer ones are cut (ids Entra and this service make are far shorter). */
export const MAX_DISPLAY_NAME_LENGTH = 256;
export const MAX_RESOURCE_ID_LENGTH = 256;

const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
const ERROR_TYPE_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;
// eslint-disable-next-line no-control-regex -- control characters are what a stored one-line value must not hold
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Whether a correlation id is id-shaped (letters, digits, `._:-`); anything else (free text, a token) is not kept. */
export const isCorrelationId = (value: string): boolean => ID_PATTERN.test(value);

const cut = (value: string | undefined, length: number): string | undefined => {
  if (value === undefined) return undefined;
  const clean = value.replace(CONTROL_CHARACTERS, ' ').trim();
  return clean === '' ? undefined : clean.slice(0, length);
};

/** The entry as stored: ids and names cut to length, control characters out, a non-id correlation or error type dropped. */
export function sanitiseEntry(entry: ProvisioningLogEntry): ProvisioningLogEntry {
  const resourceId = cut(entry.resourceId, MAX_RESOURCE_ID_LENGTH);
  const displayName = cut(entry.displayName, MAX_DISPLAY_NAME_LENGTH);
  const validStatus = entry.status !== undefined && Number.isInteger(entry.status) && entry.status >= 100 && entry.status <= 599;
  return {
    at: entry.at,
    integrationId: entry.integrationId,
    source: entry.source,
    operation: entry.operation,
    resourceType: entry.resourceType,
    ...(resourceId === undefined ? {} : { resourceId }),
    ...(displayName === undefined ? {} : { displayName }),
    ...(validStatus ? { status: entry.status } : {}),
    outcome: entry.outcome,
    correlationId: isCorrelationId(entry.correlationId) ? entry.correlationId : '(invalid)',
    ...(entry.errorType !== undefined && ERROR_TYPE_PATTERN.test(entry.errorType) ? { errorType: entry.errorType } : {}),
  };
}
