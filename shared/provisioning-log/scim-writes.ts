// The provisioning log's view of a SCIM exchange: which requests are writes (POST, PUT, PATCH and DELETE on /Users and
// /Groups), and the entry each answer makes. The SCIM edge (scim-api/scim-endpoint.ts) asks for a recorder once the
// integration is authenticated and calls it with the status it answers; unauthenticated requests make no entry, so
// nobody without a token can write to the log.
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { outcomeForStatus } from '../observability/request-log.js';
import { isCorrelationId, type ProvisioningOperation, type ProvisioningResourceType } from './log-entry.js';
import type { ProvisioningLog } from './provisioning-log.js';

const OPERATIONS: Readonly<Record<string, ProvisioningOperation>> = { POST: 'create', PUT: 'replace', PATCH: 'update', DELETE: 'delete' };
const RESOURCE_TYPES: Readonly<Record<string, ProvisioningResourceType>> = { users: 'User', groups: 'Group' };
/** Longest answer body read for the resource's id and displayName; a longer one (a group with its members) is not parsed. */
export const MAX_ANSWER_CHARS_READ = 64 * 1024;

/** Records the answer of one SCIM write: its status, the answer itself when it carries the resource, a SCIM error type. */
export type ScimWriteRecorder = (status: number, answer?: HttpResponseInit, scimType?: string) => void;

export interface ScimWrite {
  /** The endpoint's name, as scimEndpoint knows it: `users`, `groups`, … */
  readonly endpoint: string;
  readonly request: HttpRequest;
  readonly context: InvocationContext;
  readonly integrationId: string;
}

/** A recorder for the request when it is a SCIM write, else undefined. */
export function scimWriteRecorder(log: ProvisioningLog, write: ScimWrite, now: () => Date = () => new Date()): ScimWriteRecorder | undefined {
  const operation = OPERATIONS[write.request.method.toUpperCase()];
  const resourceType = RESOURCE_TYPES[write.endpoint];
  if (operation === undefined || resourceType === undefined) return undefined;
  const requestId = write.request.headers.get('x-ms-request-id');
  const correlationId = requestId !== null && isCorrelationId(requestId) ? requestId : write.context.invocationId;
  const routeId = write.request.params.id === undefined || write.request.params.id === '' ? undefined : write.request.params.id;
  return (status, answer, scimType) => {
    const resource = answer === undefined ? undefined : resourceOf(answer.body);
    const resourceId = routeId ?? resource?.id;
    log.record({
      at: now().toISOString(),
      integrationId: write.integrationId,
      source: 'scim',
      operation,
      resourceType,
      ...(resourceId === undefined ? {} : { resourceId }),
      ...(resource?.displayName === undefined ? {} : { displayName: resource.displayName }),
      status,
      outcome: outcomeForStatus(status),
      correlationId,
      ...(scimType === undefined ? {} : { errorType: scimType }),
    });
  };
}

/** The id and displayName at the top of a JSON answer (never a userName: a UPN is personal data, not a display name). */
function resourceOf(body: HttpResponseInit['body']): { id?: string; displayName?: string } | undefined {
  if (typeof body !== 'string' || body.length > MAX_ANSWER_CHARS_READ) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { id, displayName } = parsed as Record<string, unknown>;
  return { ...(typeof id === 'string' ? { id } : {}), ...(typeof displayName === 'string' ? { displayName } : {}) };
}
