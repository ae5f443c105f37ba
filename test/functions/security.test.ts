// Security over HTTP against the local host: filter values never become storage-query syntax; one integration's token
// never reads or writes another integration's data; secret tokens never leave through logs, console output, error
// bodies or admin reads (only through the explicit reveal), rotation retires the old token at once, and no table row
// holds a token in plaintext.
import { randomBytes } from 'node:crypto';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hashSecretToken } from '../../shared/directory/secret-token.js';
import { filterQuery, ScimClient, startTestHost, type TestHost } from '../support/test-host.js';

const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Answer = Awaited<ReturnType<ScimClient['get']>>;

let host: TestHost;
/** Every line the local host logged (request lines and every context.log/info/warn/error of the handlers). */
const hostLines: string[] = [];
/** Everything written through console.* while the file ran. */
const consoleLines: string[] = [];
/** Every secret token issued (or presented) in this file: none may leak. */
const tokens = new Set<string>();
/** Raw text of every SCIM and admin answer that must not carry a token (headers included). */
const answers: string[] = [];

beforeAll(async () => {
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleLines.push(format(...args));
    });
  }
  host = await startTestHost({ log: (line) => hostLines.push(line) });
});
afterAll(async () => {
  await host.close();
  vi.restoreAllMocks();
});

let n = 0;
const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${++n}`;

/** A SCIM client that records every answer it gets, for the leak checks. */
class RecordingClient extends ScimClient {
  override async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const answer = await super.request(method, path, body, headers);
    answers.push(`${method} ${path} -> ${answer.status} ${JSON.stringify([...answer.headers])} ${typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body)}`);
    return answer;
  }
}

async function integration(mode: 'matchOnly' | 'create', name = unique('Integration')): Promise<{ id: string; tenantUrl: string; token: string; scim: RecordingClient }> {
  const created = await host.createIntegration(mode, name);
  tokens.add(created.secretToken);
  return { id: created.id, tenantUrl: created.tenantUrl, token: created.secretToken, scim: new RecordingClient(created.tenantUrl, created.secretToken) };
}

function expectUnauthorized(answer: Answer, what: string): void {
  expect(answer.status, what).toBe(401);
  expect(answer.headers.get('content-type'), what).toMatch(/^application\/scim\+json\b/);
  expect(answer.headers.get('www-authenticate'), what).toMatch(/^Bearer\b/);
  expect(answer.body, what).toMatchObject({ schemas: [ERROR], status: '401' });
}

function expectNotFound(answer: Answer, what: string): void {
  expect(answer.status, what).toBe(404);
  expect(answer.body, what).toMatchObject({ schemas: [ERROR], status: '404' });
}

function expectEmptyList(answer: Answer, what: string): void {
  expect(answer.status, what).toBe(200);
  expect(answer.body, what).toMatchObject({ totalResults: 0, Resources: [] });
}

// ---------------------------------------------------------------------------------------------------------------

describe('filter values cannot inject into storage queries', () => {
  let scim: RecordingClient;
  const people: { id: string; userName: string; externalId: string; displayName: string; email: string }[] = [];
  const groups: { id: string; displayName: string; externalId: string }[] = [];

  beforeAll(async () => {
    ({ scim } = await integration('create'));
    // Plain users, and users whose values hold the characters an escaping bug would trip on.
    const values = ['a', 'x', "o'brien", 'it%27s', 'hash#tag', 'slash/ed', 'back\\slash', 'quo"te', 'pipe|bar', 'semi;colon'];
    for (const value of values) {
      const person = { userName: `${value}@contoso.com`, externalId: `ext-${value}`, displayName: value, email: `mail-${value}@contoso.com` };
      const response = await scim.post('/Users', {
        schemas: [CORE_USER],
        userName: person.userName,
        externalId: person.externalId,
        displayName: person.displayName,
        emails: [{ value: person.email, type: 'work', primary: true }],
      });
      expect(response.status).toBe(201);
      people.push({ ...person, id: String(response.body.id) });
    }
    for (const value of ['a', "o'brien", 'a|b', 'back\\slash', 'hash#tag']) {
      const response = await scim.post('/Groups', { displayName: `Group ${value}`, externalId: value });
      expect(response.status).toBe(201);
      groups.push({ id: String(response.body.id), displayName: `Group ${value}`, externalId: value });
    }
  });

  it('storage-query syntax inside a filter value matches nothing, although users and groups exist', async () => {
    expect((await scim.get('/Users')).body.totalResults).toBeGreaterThanOrEqual(people.length);
    expect((await scim.get('/Groups')).body.totalResults).toBeGreaterThanOrEqual(groups.length);
    const userFilters = [
      `userName eq "x' or PartitionKey ne '"`,
      `userName eq "x@contoso.com' or PartitionKey ne '"`,
      `externalId eq "' or 1 eq 1 or ''eq'"`,
      `externalId eq "ext-x' or RowKey ne '"`,
      'displayName eq "a\\" or true"', // the value is: a" or true
      `displayName eq "a' or PartitionKey ne 'x"`,
      `emails.value eq "' or RowKey ne '"`,
      `emails[type eq "work" and value eq "x' or PartitionKey gt '"]`,
      `id eq "' or PartitionKey ne '"`,
      `id eq "${people[0]?.id}' or '1' eq '1"`,
      `userName eq "%27 or 1 eq 1"`,
      `userName eq "*"`,
      `externalId eq "\\u0027) or (PartitionKey ne \\u0027"`,
    ];
    for (const filter of userFilters) expectEmptyList(await scim.get(`/Users?${filterQuery(filter)}`), filter);
    const groupFilters = [
      `displayName eq "x' or PartitionKey ne '"`,
      `displayName eq "Group a' or RowKey ne '"`,
      `externalId eq "' or PartitionKey ne '"`,
      `externalId eq "a' or RowKey ge '"`,
      `externalId eq "a|"`,
      `id eq "' or RowKey ne '"`,
      `members eq "' or 1 eq 1 or ''eq'"`,
      `members[value eq "x' or PartitionKey ne '"]`,
    ];
    for (const filter of groupFilters) expectEmptyList(await scim.get(`/Groups?${filterQuery(filter)}`), filter);
  });

  it('values holding quotes, %, #, /, \\ and | are found exactly, by every storage-served attribute', async () => {
    for (const person of people) {
      for (const filter of [
        `userName eq ${JSON.stringify(person.userName.toUpperCase())}`,
        `externalId eq ${JSON.stringify(person.externalId)}`,
        `displayName eq ${JSON.stringify(person.displayName)}`,
        `emails.value eq ${JSON.stringify(person.email)}`,
        `id eq ${JSON.stringify(person.id)}`,
      ]) {
        const found = await scim.get(`/Users?${filterQuery(filter)}`);
        expect(found.status, filter).toBe(200);
        expect(found.body.Resources.map((r: any) => r.id), filter).toEqual([person.id]);
      }
    }
    for (const group of groups) {
      for (const filter of [`displayName eq ${JSON.stringify(group.displayName.toUpperCase())}`, `externalId eq ${JSON.stringify(group.externalId)}`, `id eq "${group.id}"`]) {
        const found = await scim.get(`/Groups?${filterQuery(filter)}`);
        expect(found.status, filter).toBe(200);
        expect(found.body.Resources.map((r: any) => r.id), filter).toEqual([group.id]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe("one integration's token never reaches another integration's data", () => {
  type Side = Awaited<ReturnType<typeof integration>> & { userId: string; userName: string; groupId: string; groupName: string };
  let a: Side;
  let b: Side;

  async function side(name: string): Promise<Side> {
    const created = await integration('matchOnly', name);
    const userName = `${unique(name)}@contoso.com`;
    const user = await created.scim.post('/Users', {
      schemas: [CORE_USER, ENTERPRISE],
      userName,
      externalId: `ext-${userName}`,
      displayName: `Secret ${name} person`,
      emails: [{ value: `mail-${userName}`, type: 'work', primary: true }],
      [ENTERPRISE]: { department: `${name} department` },
    });
    expect(user.status).toBe(201);
    const groupName = unique(`${name} group`);
    const group = await created.scim.post('/Groups', { displayName: groupName, externalId: `ext-${groupName}`, members: [{ value: user.body.id }] });
    expect(group.status).toBe(201);
    return { ...created, userId: String(user.body.id), userName, groupId: String(group.body.id), groupName };
  }

  beforeAll(async () => {
    a = await side('A');
    b = await side('B');
  });

  it("a token on the other integration's Tenant URL is 401 for every verb on Users and Groups, and changes nothing", async () => {
    const before = {
      aUser: (await a.scim.get(`/Users/${a.userId}`)).body,
      aGroup: (await a.scim.get(`/Groups/${a.groupId}`)).body,
      bUser: (await b.scim.get(`/Users/${b.userId}`)).body,
      bGroup: (await b.scim.get(`/Groups/${b.groupId}`)).body,
    };
    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'hijacked' }] };
    for (const [owner, intruderToken, label] of [
      [a, b.token, "B's token on A's Tenant URL"],
      [b, a.token, "A's token on B's Tenant URL"],
    ] as const) {
      const intruder = new RecordingClient(owner.tenantUrl, intruderToken);
      const calls: [string, () => Promise<Answer>][] = [
        ['GET /Users', () => intruder.get('/Users')],
        ['GET /Users?filter', () => intruder.get(`/Users?${filterQuery(`userName eq "${owner.userName}"`)}`)],
        ['GET /Users/{id}', () => intruder.get(`/Users/${owner.userId}`)],
        ['POST /Users', () => intruder.post('/Users', { userName: unique('intruder') + '@contoso.com' })],
        ['PATCH /Users/{id}', () => intruder.patch(`/Users/${owner.userId}`, patch)],
        ['PUT /Users/{id}', () => intruder.put(`/Users/${owner.userId}`, { userName: owner.userName, displayName: 'hijacked' })],
        ['DELETE /Users/{id}', () => intruder.delete(`/Users/${owner.userId}`)],
        ['GET /Groups', () => intruder.get('/Groups')],
        ['GET /Groups/{id}', () => intruder.get(`/Groups/${owner.groupId}`)],
        ['POST /Groups', () => intruder.post('/Groups', { displayName: unique('intruder group') })],
        ['PATCH /Groups/{id}', () => intruder.patch(`/Groups/${owner.groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] })],
        ['DELETE /Groups/{id}', () => intruder.delete(`/Groups/${owner.groupId}`)],
      ];
      for (const [what, call] of calls) expectUnauthorized(await call(), `${label}: ${what}`);
    }
    expect((await a.scim.get(`/Users/${a.userId}`)).body).toEqual(before.aUser);
    expect((await a.scim.get(`/Groups/${a.groupId}`)).body).toEqual(before.aGroup);
    expect((await b.scim.get(`/Users/${b.userId}`)).body).toEqual(before.bUser);
    expect((await b.scim.get(`/Groups/${b.groupId}`)).body).toEqual(before.bGroup);
    expect((await a.scim.get(`/Groups?${filterQuery('displayName sw "intruder group"')}`)).body.totalResults).toBe(0);
  });

  it('a token for an integration that does not exist, or no token at all, is 401', async () => {
    const unknownTenant = a.tenantUrl.replace(a.id, '0'.repeat(32));
    expectUnauthorized(await new RecordingClient(unknownTenant, a.token).get('/Users'), 'unknown integration');
    expectUnauthorized(await new RecordingClient(a.tenantUrl, '').get('/Users'), 'empty bearer');
    const bare = await fetch(`${a.tenantUrl}/Groups/${a.groupId}`, { method: 'DELETE' });
    expect(bare.status).toBe(401);
    expect((await a.scim.get(`/Groups/${a.groupId}`)).status).toBe(200);
  });

  it("a user staged through A is invisible to B (matchOnly): filters find nothing, the id is 404 for every verb", async () => {
    const user = (await a.scim.get(`/Users/${a.userId}`)).body;
    for (const filter of [
      `userName eq "${a.userName}"`,
      `externalId eq "${String(user.externalId)}"`,
      `displayName eq "${String(user.displayName)}"`,
      `emails.value eq "${String(user.emails[0].value)}"`,
      `emails[type eq "work" and value eq "${String(user.emails[0].value)}"]`,
      `id eq "${a.userId}"`,
      `${ENTERPRISE}:department eq "A department"`,
      `userName co "${a.userName.slice(0, 8)}"`,
    ]) {
      expectEmptyList(await b.scim.get(`/Users?${filterQuery(filter)}`), `B: ${filter}`);
    }
    const all = await b.scim.get('/Users?count=200');
    expect(all.body.Resources.map((r: any) => r.id)).not.toContain(a.userId);
    expectNotFound(await b.scim.get(`/Users/${a.userId}`), 'B GET');
    expectNotFound(await b.scim.patch(`/Users/${a.userId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }), 'B PATCH');
    expectNotFound(await b.scim.put(`/Users/${a.userId}`, { userName: a.userName }), 'B PUT');
    expectNotFound(await b.scim.delete(`/Users/${a.userId}`), 'B DELETE');
    expect((await a.scim.get(`/Users/${a.userId}`)).body).toEqual(user);
  });

  it("A's group is 404 through B, cannot be found by B's filters, and A's user cannot be made a member of B's group", async () => {
    const group = (await a.scim.get(`/Groups/${a.groupId}`)).body;
    expectNotFound(await b.scim.get(`/Groups/${a.groupId}`), 'B GET group');
    expectNotFound(await b.scim.patch(`/Groups/${a.groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }), 'B PATCH group');
    expectNotFound(await b.scim.delete(`/Groups/${a.groupId}`), 'B DELETE group');
    for (const filter of [`displayName eq "${a.groupName}"`, `externalId eq "ext-${a.groupName}"`, `id eq "${a.groupId}"`, `members eq "${a.userId}"`]) {
      expectEmptyList(await b.scim.get(`/Groups?${filterQuery(filter)}`), `B: ${filter}`);
    }
    // Members are accepted only when they exist in the integration's own view: A's user and A's group are ignored.
    const add = await b.scim.patch(`/Groups/${b.groupId}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: a.userId }, { value: a.groupId }] }] });
    expect(add.status).toBe(204);
    const members = ((await b.scim.get(`/Groups/${b.groupId}`)).body.members as { value: string }[]).map((m) => m.value);
    expect(members).toEqual([b.userId]);
    expect((await a.scim.get(`/Groups/${a.groupId}`)).body).toEqual(group);
  });

  it("B provisioning the same userName sees only what B wrote, never A's values; B's delete leaves A's user", async () => {
    const aBefore = (await a.scim.get(`/Users/${a.userId}`)).body;
    const created = await b.scim.post('/Users', { userName: a.userName.toUpperCase(), active: true });
    expect(created.status).toBe(201);
    const shown = JSON.stringify(created.body);
    expect(created.body.userName).toBe(a.userName.toUpperCase());
    for (const leaked of [aBefore.externalId, aBefore.displayName, aBefore.emails[0].value, 'A department']) {
      expect(shown, `B's view holds A's value ${String(leaked)}`).not.toContain(String(leaked));
    }
    expect(created.body).not.toHaveProperty('externalId');
    expect(created.body).not.toHaveProperty(ENTERPRISE);
    expect((await b.scim.delete(`/Users/${created.body.id}`)).status).toBe(204);
    const aAfter = (await a.scim.get(`/Users/${a.userId}`)).body;
    // Everything A wrote is intact, and A's ETag (a digest of A's view) did not move: B's writes do not show through it.
    expect(aAfter).toEqual(aBefore);
  });
});

// ---------------------------------------------------------------------------------------------------------------

describe('secrets never appear in logs, console output, error bodies or admin reads', () => {
  let subject: Awaited<ReturnType<typeof integration>>;
  let other: Awaited<ReturnType<typeof integration>>;
  /** A wrong token shaped like a real one (64 base64url characters). */
  const wrongToken = randomBytes(48).toString('base64url');
  let rotatedToken = '';

  beforeAll(async () => {
    subject = await integration('create', 'Secrets subject');
    other = await integration('matchOnly', 'Secrets other');
    tokens.add(wrongToken);
  });

  /** Every member name in a JSON value, at any depth. */
  function keysOf(value: unknown): string[] {
    if (Array.isArray(value)) return value.flatMap(keysOf);
    if (typeof value !== 'object' || value === null) return [];
    return Object.entries(value).flatMap(([key, inner]) => [key, ...keysOf(inner)]);
  }

  function expectNoTokenIn(texts: readonly string[], where: string): void {
    for (const token of tokens) {
      const hits = texts.filter((text) => text.includes(token) || text.includes(hashSecretToken(token)));
      expect(hits, `${where} holds a secret token (or its hash)`).toEqual([]);
    }
  }

  it('failing auth, a success and 4xx answers: no token (nor Authorization value) in any host line, console line or answer', async () => {
    hostLines.length = 0;
    consoleLines.length = 0;
    expectUnauthorized(await new RecordingClient(subject.tenantUrl, wrongToken).get('/Users'), 'wrong token');
    expectUnauthorized(await new RecordingClient(subject.tenantUrl, other.token).post('/Users', { userName: 'x@contoso.com' }), 'foreign token');
    expectUnauthorized(await subject.scim.get('/Users', { authorization: `Basic ${Buffer.from(`user:${subject.token}`).toString('base64')}` }), 'basic auth');
    expectUnauthorized(await subject.scim.get('/Users', { authorization: `Bearer ${subject.token} ${wrongToken}` }), 'two tokens');
    const ok = await subject.scim.post('/Users', { userName: `${unique('secret-user')}@contoso.com`, displayName: 'Secret User' });
    expect(ok.status).toBe(201);
    expect((await subject.scim.get(`/Users/${ok.body.id}`)).status).toBe(200);
    const badFilter = await subject.scim.get(`/Users?${filterQuery('userName eq')}`);
    expect(badFilter.status).toBe(400);
    const badPatch = await subject.scim.patch(`/Users/${ok.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'notAnAttribute', value: 'x' }] });
    expect(badPatch.status).toBe(400);
    const conflict = await subject.scim.post('/Users', { userName: ok.body.userName });
    expect(conflict.status).toBe(409);
    expectNotFound(await subject.scim.get('/Users/00000000000000000000000000000000'), 'unknown id');
    const junk = await subject.scim.request('POST', '/Users', '{ "userName": ');
    expect(junk.status).toBe(400);

    // The capture works: the host logged each request and the handlers' outcome lines.
    expect(hostLines.some((line) => line.includes('"operation":"scim.users.get"') && line.includes('"status":401'))).toBe(true);
    expect(hostLines.some((line) => line.includes('"operation":"scim.users.post"') && line.includes('"status":201'))).toBe(true);
    expect(hostLines.some((line) => line.includes('"status":400') && line.includes('invalidFilter'))).toBe(true);
    expectNoTokenIn(hostLines, 'a host log line');
    expectNoTokenIn(consoleLines, 'a console line');
    expectNoTokenIn(answers, 'a SCIM answer');
    for (const line of [...hostLines, ...consoleLines]) expect(line.toLowerCase()).not.toMatch(/bearer\s+(?!\*\*\*)[\w-]{8,}/);
    // No PII beyond ids: a 409's detail quotes the userName to the caller, the log line does not (e-mail-shaped
    // names would be masked anyway; this one is not e-mail-shaped).
    const plainName = unique('PlainLogin');
    expect((await subject.scim.post('/Users', { userName: plainName })).status).toBe(201);
    expect((await subject.scim.post('/Users', { userName: plainName })).status).toBe(409);
    expect(hostLines.some((line) => line.includes('"status":409') && line.includes('uniqueness'))).toBe(true);
    expect(hostLines.filter((line) => line.includes(plainName))).toEqual([]);
  });

  it('admin reads (one integration, the list) never include the token or its hash; reveal does, with no-store', async () => {
    const one = await host.admin(`/integrations/${subject.id}`);
    expect(one.status).toBe(200);
    const oneText = await one.text();
    const list = await host.admin('/integrations');
    expect(list.status).toBe(200);
    const listText = await list.text();
    expect(JSON.parse(listText).integrations.map((i: any) => i.id)).toEqual(expect.arrayContaining([subject.id, other.id]));
    for (const text of [oneText, listText]) {
      expectNoTokenIn([text], 'an admin read');
      expect(keysOf(JSON.parse(text)).filter((key) => /token|secret|hash/i.test(key)), text).toEqual([]);
    }
    const reveal = await host.admin(`/integrations/${subject.id}/secret-token/reveal`, { method: 'POST' });
    expect(reveal.status).toBe(200);
    expect(reveal.headers.get('cache-control')).toContain('no-store');
    expect(await reveal.json()).toEqual({ id: subject.id, secretToken: subject.token });
    expect((await host.admin('/integrations/00000000000000000000000000000000/secret-token/reveal', { method: 'POST' })).status).toBe(404);
    expectNoTokenIn(hostLines, 'a host log line');
    expectNoTokenIn(consoleLines, 'a console line');
  });

  it('rotate without a grace period retires the old token at once (401) and the new one works; reveal then shows the new one', async () => {
    expect((await subject.scim.get('/Users')).status).toBe(200); // the old token is now in the authentication cache
    const rotated = await host.admin(`/integrations/${subject.id}/secret-token/rotate`, { method: 'POST', body: JSON.stringify({ gracePeriodHours: 0 }) });
    expect(rotated.status).toBe(200);
    const { secretToken } = (await rotated.json()) as { secretToken: string };
    tokens.add(secretToken);
    rotatedToken = secretToken;
    expect(secretToken).not.toBe(subject.token);
    expect(secretToken.length).toBeGreaterThanOrEqual(43);
    expectUnauthorized(await subject.scim.get('/Users'), 'old token after rotate');
    expectUnauthorized(await subject.scim.patch('/Users/x', { schemas: [PATCH_OP], Operations: [] }), 'old token PATCH after rotate');
    const fresh = new RecordingClient(subject.tenantUrl, secretToken);
    expect((await fresh.get('/Users')).status).toBe(200);
    const reveal = await host.admin(`/integrations/${subject.id}/secret-token/reveal`, { method: 'POST' });
    expect(((await reveal.json()) as { secretToken: string }).secretToken).toBe(secretToken);
    // The other integration is untouched by the rotation.
    expect((await other.scim.get('/Users')).status).toBe(200);
    expectNoTokenIn(hostLines, 'a host log line');
    expectNoTokenIn(consoleLines, 'a console line');
    expectNoTokenIn(answers, 'a SCIM answer');
  });

  it('no table row holds a token in plaintext (the integration row keeps only a SHA-256)', async () => {
    let rows = 0;
    for (const [name, table] of Object.entries(host.services.tables)) {
      for await (const entity of table.listEntities<Record<string, unknown>>()) {
        rows++;
        const text = JSON.stringify(entity);
        for (const token of tokens) expect(text.includes(token), `a row of table ${name} holds a token: ${text.slice(0, 200)}`).toBe(false);
        if (name === 'integrations') {
          expect(entity.tokenHash).toMatch(/^sha256:[0-9a-f]{64}$/);
          expect(Object.values(entity).filter((value) => typeof value === 'string' && tokens.has(value))).toEqual([]);
        }
      }
    }
    expect(rows).toBeGreaterThan(0);
    const row = await host.services.tables.integrations.getEntity<Record<string, unknown>>('integration', subject.id);
    expect(rotatedToken).not.toBe('');
    expect(row.tokenHash).toBe(hashSecretToken(rotatedToken));
  });
});
