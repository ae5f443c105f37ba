// Storage round trips per request type, counted at the storage boundary (a counting proxy in front of the Table
// endpoint, as test/functions/storage-round-trips.test.ts does): one measured request of each kind Entra sends in
// volume, each after a warm-up request of the same kind, so caches (the integration row, catalogued attribute
// paths) are as a running cycle finds them. A change in what a request costs shows in the bench's last line.
import { adminFetch, scimFetch } from './json-fetch.js';

export interface RoundTripTarget {
  hostUrl: string;
  functionsKey: string;
  /** Requests the host sent to Table Storage since the last reset (one line each, as storage-counter.ts describes them). */
  storageRequests: () => string[];
  resetStorageRequests: () => void;
  /** Receives the storage requests of each measured request, e.g. to print them. */
  onMeasured?: (kind: keyof RoundTrips, requests: string[]) => void;
}

/** Every request type of the Entra cycle (bench/cycle.ts), plus the user POST and DELETE of a create-mode tenant. */
export interface RoundTrips {
  postUser: number;
  matchGet: number;
  patchUser: number;
  disableUser: number;
  groupQuery: number;
  postGroup: number;
  groupMemberAdd100: number;
  deleteUser: number;
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP_ADD = 100;
/** Entra's disable: a string boolean. */
const DISABLE = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };

const userPatch = (n: number) => ({
  schemas: [PATCH_OP],
  Operations: [
    { op: 'Replace', path: 'displayName', value: `Round trip ${n}` },
    { op: 'Add', path: `${ENTERPRISE}:department`, value: `Dept ${n}` },
    { op: 'Replace', path: 'emails[type eq "work"].value', value: `rt${n}@mail.bench.example` },
  ],
});

export async function measureRoundTrips(target: RoundTripTarget): Promise<RoundTrips> {
  const admin = adminFetch(target.hostUrl, target.functionsKey);
  const integration = (await admin('POST', '/integrations', { displayName: 'Bench round trips', userProvisioning: 'create' }, 201)).body;
  const scim = scimFetch(String(integration.tenantUrl), String(integration.secretToken));
  const names = Array.from({ length: GROUP_ADD + 2 }, (_, i) => `rt${String(i).padStart(3, '0')}@bench.example`);
  await admin('POST', '/users', names.map((name, i) => ({ username: name, upn: name, displayName: `RT ${i}`, email: name })), 200);
  const measured = async (kind: keyof RoundTrips, request: () => Promise<unknown>): Promise<number> => {
    target.resetStorageRequests();
    await request();
    // The provisioning log is written in the background, batched across requests (shared/provisioning-log): its
    // writes belong to no one request and land whenever the buffer flushes, so they are not counted here.
    const requests = target.storageRequests().filter((line) => !line.includes('provisioninglog'));
    target.onMeasured?.(kind, requests);
    return requests.length;
  };
  const matchId = async (name: string): Promise<string> => {
    const found = (await scim('GET', `/Users?filter=${encodeURIComponent(`userName eq "${name.toUpperCase()}"`)}`, undefined, 200)).body;
    return String(found.Resources[0].id);
  };

  // Entra matches every user before it adds it to a group: these GETs are the match GETs' warm-up.
  const members: string[] = [];
  for (const name of names.slice(0, GROUP_ADD)) members.push(await matchId(name));
  const matchGet = await measured('matchGet', () => matchId(names[GROUP_ADD] as string));

  const newUser = (name: string) => ({ schemas: [USER_SCHEMA], userName: name, active: true, displayName: name, emails: [{ type: 'work', value: name, primary: true }] });
  const warmUser = (await scim('POST', '/Users', newUser('rt-created-warm@bench.example'), 201)).body;
  let created: any;
  const postUser = await measured('postUser', async () => {
    created = (await scim('POST', '/Users', newUser('rt-created@bench.example'), 201)).body;
  });

  await scim('PATCH', `/Users/${members[0]}`, userPatch(0), 200);
  const patchUser = await measured('patchUser', () => scim('PATCH', `/Users/${members[1]}`, userPatch(1), 200));
  await scim('PATCH', `/Users/${members[2]}`, DISABLE, 200);
  const disableUser = await measured('disableUser', () => scim('PATCH', `/Users/${members[3]}`, DISABLE, 200));

  // Entra's zero-result query by displayName before each group create.
  const queryGroup = (displayName: string) => scim('GET', `/Groups?${new URLSearchParams({ filter: `displayName eq "${displayName}"`, excludedAttributes: 'members' }).toString()}`, undefined, 200);
  await queryGroup('Round trips');
  const groupQuery = await measured('groupQuery', () => queryGroup('Round trips measured'));
  await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: 'rt-group-warm', displayName: 'Round trips warm-up' }, 201);
  let group: any;
  const postGroup = await measured('postGroup', async () => {
    group = (await scim('POST', '/Groups', { schemas: [GROUP_SCHEMA], externalId: 'rt-group', displayName: 'Round trips' }, 201)).body;
  });
  const add = { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: members.map((value) => ({ value })) }] };
  const groupMemberAdd100 = await measured('groupMemberAdd100', () => scim('PATCH', `/Groups/${String(group.id)}`, add, 204));

  await scim('DELETE', `/Users/${String(warmUser.id)}`, undefined, 204);
  const deleteUser = await measured('deleteUser', () => scim('DELETE', `/Users/${String(created.id)}`, undefined, 204));

  return { postUser, matchGet, patchUser, disableUser, groupQuery, postGroup, groupMemberAdd100, deleteUser };
}
