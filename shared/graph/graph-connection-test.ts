// The Graph connection test of an integration (issue 6 §1): a token from its stored credentials, then one cheap call
// of each kind the sync makes (users with the integration's $select, groups of its selection, one group's members as
// its membership depth reads them, and the start of both delta rounds), each reported ok, failed or skipped in words an
// admin can act on: which application permission is missing (Graph's 403 Authorization_RequestDenied), a client secret
// that is wrong or expired, a tenant that does not exist, a network that does not answer. Nothing here echoes the
// secret: credential failures are GraphAuthenticationErrors (which never hold it), requests are named without tokens.
import { graphCloud } from './graph-cloud.js';
import { GraphClient, type GraphClientOptions, odataString } from './graph-client.js';
import { GraphCredentialCache } from './graph-credentials.js';
import { deltaStartUrl } from './graph-delta.js';
import { GraphAuthenticationError, GraphPermissionError, GraphRequestError, GraphThrottledError } from './graph-errors.js';
import type { GraphIntegrationSettings } from './graph-integration-settings.js';
import type { GraphRetryOptions } from './graph-retry-policy.js';
import { userSelect } from './graph-user-query.js';
import { GROUP_DELTA_SELECT, GROUP_SELECT } from './sync/group-selection.js';

export const CONNECTION_CHECK_NAMES = ['token', 'users', 'groups', 'groupMembers', 'usersDelta', 'groupsDelta'] as const;
export type ConnectionCheckName = (typeof CONNECTION_CHECK_NAMES)[number];

export interface GraphConnectionCheck {
  readonly check: ConnectionCheckName;
  readonly outcome: 'ok' | 'failed' | 'skipped';
  /** What to read, or what to do. */
  readonly detail: string;
  /** The request made, method and URL (no token, no secret). */
  readonly request?: string;
  /** The application permission the call needs (any one of those named, least privileged first). */
  readonly permission?: string;
  /** Graph's request id of a failed call, for Microsoft support. */
  readonly requestId?: string;
}

export interface GraphConnectionReport {
  /** Every check passed. */
  readonly ok: boolean;
  readonly checks: readonly GraphConnectionCheck[];
}

/** An admin waits for the answer: a throttled call is tried twice, after at most 5 s, then reported. */
export const CONNECTION_TEST_RETRY: Partial<GraphRetryOptions> = { maxAttempts: 2, baseDelayInMs: 500, maxBackoffInMs: 5_000, maxRetryAfterInMs: 5_000 };

const PERMISSIONS: Readonly<Record<Exclude<ConnectionCheckName, 'token'>, string>> = {
  users: 'User.Read.All',
  groups: 'GroupMember.Read.All or Group.Read.All',
  groupMembers: 'GroupMember.Read.All or Group.Read.All',
  usersDelta: 'User.Read.All',
  groupsDelta: 'GroupMember.Read.All or Group.Read.All',
};

const WHAT: Readonly<Record<Exclude<ConnectionCheckName, 'token'>, string>> = {
  users: 'read users with the attributes this integration imports',
  groups: 'list the groups this integration selects',
  groupMembers: 'read a group\'s members',
  usersDelta: 'start a users delta round (incremental runs)',
  groupsDelta: 'start a groups delta round with members (incremental runs)',
};

export interface GraphConnectionTestInput {
  readonly integrationId: string;
  readonly settings: GraphIntegrationSettings;
  readonly clientSecret: string;
  /** A fresh cache by default, so the test signs in anew rather than reusing a token the secret earned earlier. */
  readonly credentials?: GraphCredentialCache;
  readonly client?: Omit<GraphClientOptions, 'cloud' | 'tokens'>;
}

/** The words for a failed Graph call: what is missing or wrong, and what to do. */
export function describeGraphFailure(check: Exclude<ConnectionCheckName, 'token'>, error: unknown): string {
  if (error instanceof GraphAuthenticationError) return error.message;
  if (error instanceof GraphPermissionError) {
    return `The app may not ${WHAT[check]}: Microsoft Graph refused it (403 Authorization_RequestDenied). Add the application permission ${PERMISSIONS[check]} to the app registration and grant admin consent.`;
  }
  if (error instanceof GraphThrottledError) return `Microsoft Graph kept throttling the call (${error.status}): try again in a few minutes.`;
  if (error instanceof GraphRequestError) {
    if (error.status === 404 && check === 'groups') return 'A group id of the selection was not found in the tenant: check the group ids.';
    const hint = error.status === 400 && check === 'users' ? ' Check the user attribute names and the matching key.' : '';
    return `Microsoft Graph answered ${error.status} ${error.code}: ${error.graphMessage}.${hint}`;
  }
  return 'Microsoft Graph could not be reached: check the network and the integration\'s cloud setting, then try again.';
}

const failed = (check: Exclude<ConnectionCheckName, 'token'>, request: string, error: unknown): GraphConnectionCheck => ({
  check,
  outcome: 'failed',
  detail: describeGraphFailure(check, error),
  request,
  permission: PERMISSIONS[check],
  ...(error instanceof GraphRequestError && error.requestId !== undefined ? { requestId: error.requestId } : {}),
});

export async function testGraphConnection(input: GraphConnectionTestInput): Promise<GraphConnectionReport> {
  const { settings } = input;
  const cloud = graphCloud(settings.cloud);
  const credentials = input.credentials ?? new GraphCredentialCache();
  const tokens = credentials.tokenSourceFor(input.integrationId, { tenantId: settings.tenantId, clientId: settings.clientId, clientSecret: input.clientSecret, cloud });
  try {
    await tokens.getAccessToken();
  } catch (error) {
    const detail = error instanceof GraphAuthenticationError ? error.message : 'Sign-in to Microsoft Entra failed: check the tenant id, client id, client secret and cloud.';
    const skipped = CONNECTION_CHECK_NAMES.slice(1).map((check): GraphConnectionCheck => ({ check, outcome: 'skipped', detail: 'Not tried: no token.' }));
    return { ok: false, checks: [{ check: 'token', outcome: 'failed', detail }, ...skipped] };
  }
  const checks: GraphConnectionCheck[] = [{ check: 'token', outcome: 'ok', detail: `Signed in to Microsoft Entra (${cloud.name} cloud) as the app ${settings.clientId}.` }];
  const client = new GraphClient({ retry: CONNECTION_TEST_RETRY, ...input.client, cloud, tokens });
  const call = async (check: Exclude<ConnectionCheckName, 'token'>, url: string, read: (body: Record<string, unknown>) => string, advancedQuery = false): Promise<Record<string, unknown> | undefined> => {
    const request = `GET ${url}`;
    try {
      const body = await client.getJson(url, { advancedQuery });
      checks.push({ check, outcome: 'ok', detail: read(body), request, permission: PERMISSIONS[check] });
      return body;
    } catch (error) {
      checks.push(failed(check, request, error));
      return undefined;
    }
  };
  const count = (body: Record<string, unknown>): number => (Array.isArray(body.value) ? body.value.length : 0);

  await call('users', client.url('/users', { select: userSelect(settings), top: 1 }), (body) => (count(body) === 0 ? 'Users can be read; the tenant has none.' : 'Users can be read with every selected attribute.'));
  const groupId = await firstSelectedGroup(client, settings, call);
  if (groupId === undefined) {
    checks.push({ check: 'groupMembers', outcome: 'skipped', detail: 'Not tried: no group of the selection was found to read the members of.' });
  } else {
    const path = `/groups/${encodeURIComponent(groupId)}`;
    const transitive = settings.membershipDepth === 'transitive';
    const url = transitive ? client.url(`${path}/transitiveMembers/microsoft.graph.user`, { select: ['id'], top: 1, count: true }) : client.url(`${path}/members`, { select: ['id'], top: 1 });
    await call('groupMembers', url, () => `The ${transitive ? 'transitive' : 'direct'} members of group ${groupId} can be read.`, transitive);
  }
  const latest = (url: string): string => `${url}&$deltatoken=latest`;
  await call('usersDelta', latest(deltaStartUrl(client, 'users', userSelect(settings))), () => 'A users delta round can be started.');
  await call('groupsDelta', latest(deltaStartUrl(client, 'groups', GROUP_DELTA_SELECT)), () => 'A groups delta round with members can be started.');
  return { ok: checks.every((check) => check.outcome === 'ok'), checks };
}

type Call = (check: 'groups', url: string, read: (body: Record<string, unknown>) => string) => Promise<Record<string, unknown> | undefined>;

/** Reads one group of the selection (the first id, or the first group of the first prefix, or any group); its id. */
async function firstSelectedGroup(client: GraphClient, settings: GraphIntegrationSettings, call: Call): Promise<string | undefined> {
  const selection = settings.groupSelection;
  if (selection.mode === 'groupIds') {
    const id = selection.groupIds[0] as string;
    const body = await call('groups', client.url(`/groups/${encodeURIComponent(id)}`, { select: GROUP_SELECT }), () => `Group ${id} of the selection can be read.`);
    return typeof body?.id === 'string' ? body.id : undefined;
  }
  const prefix = selection.mode === 'displayNamePrefixes' ? selection.prefixes[0] : undefined;
  const filter = prefix === undefined ? {} : { filter: `startswith(displayName,${odataString(prefix)})` };
  const body = await call('groups', client.url('/groups', { select: GROUP_SELECT, top: 1, ...filter }), (answer) =>
    Array.isArray(answer.value) && answer.value.length > 0 ? 'Groups can be read.' : `Groups can be read, but none ${prefix === undefined ? 'exists' : `starts with "${prefix}"`}.`,
  );
  const first: unknown = Array.isArray(body?.value) ? body.value[0] : undefined;
  return first !== null && typeof first === 'object' && typeof (first as { id?: unknown }).id === 'string' ? (first as { id: string }).id : undefined;
}
