// Property-based tests over HTTP against one local host: whatever a client sends as a PATCH or POST body, the answer
// is a SCIM answer (the resource / 204, or an RFC 7644 §3.12 error envelope with a 4xx status, G7), never a 500, and
// a PATCH that fails leaves the resource exactly as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACME, CORE_GROUP, CORE_USER, describeAnswer, ENTERPRISE, expectScimError, freeText, loneSurrogateText, PATCH_OP, PROPERTY_TIMEOUT_MS, type SeededHost, startSeededHost } from '../support/scim-properties-host.js';
import type { ScimClient, TestHost } from '../support/test-host.js';

let host: TestHost;
let scim: ScimClient;
let seeded: SeededHost['seeded'];

beforeAll(async () => {
  ({ host, scim, seeded } = await startSeededHost());
});
afterAll(async () => host.close());

// ---------------------------------------------------------------------------------------------------------------
// b) user PATCH

const opNames = fc.oneof(
  { weight: 12, arbitrary: fc.mixedCase(fc.constantFrom('add', 'replace', 'remove')) },
  { weight: 1, arbitrary: fc.constantFrom('move', 'copy', 'test', '', ' add ', 'delete', 'Add\u0000') },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
);

const userPaths = fc.constantFrom(
  'userName', 'UserName', 'active', 'displayName', 'title', 'nickName', 'externalId', 'preferredLanguage', 'locale',
  'name', 'name.givenName', 'name.familyName', 'name.Bogus', 'emails', 'emails.value', 'emails.primary',
  'emails[type eq "work"].value', 'emails[type eq "other"].Value', 'emails[type eq "work"]', 'emails[type eq "work"].primary',
  'emails[value co "@"].display', 'emails[type ne "work"].value', 'emails[kind eq "x"]', 'emails[type eq "work" and primary eq true]',
  'emails[type eq "work" or type eq "home"].value', 'emails[not (type eq "work")].value', 'emails[type eq', 'emails[]',
  'phoneNumbers[type eq "mobile"].value', 'phoneNumbers', 'addresses[type eq "work"].formatted', 'addresses[type eq "work"].streetAddress',
  'roles', 'roles[primary eq "True"].value', 'entitlements[type eq "work"].value', 'x509Certificates', 'ims[type eq "aim"].value',
  'groups', 'id', 'meta', 'meta.version', 'schemas', 'password', 'members', 'members[value eq "x"]',
  'manager', 'manager.value', 'manager[value eq "m-1"]', `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`,
  `${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:bogus`, ENTERPRISE,
  `${CORE_USER}:userName`, `${CORE_USER}:name.givenName`, `${CORE_GROUP}:displayName`,
  ACME, `${ACME}:costCenter`, `${ACME}:__proto__`, `${ACME}:a.b`, `${ACME}:primary`, 'urn:unknown:attr', 'urn:',
  '__proto__', 'constructor', 'toString', '.', '[]', ' ', 'emails[type eq "work"].value.extra',
);

/** Values a client could send: strings, booleans as strings, nulls, multi-valued items, objects of paths, random JSON. */
function userValues(): fc.Arbitrary<unknown> {
  const scalars = fc.oneof(
    fc.constantFrom('', ' ', 'True', 'False', 'true', 'yes', 'x', 'a@b.c', '{"value":"Admin"}', '{not json', ...seeded.userNames),
    fc.constantFrom(...seeded.userNames.map((name) => name.toUpperCase())),
    fc.uuid().map((id) => `${id}@contoso.com`),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    loneSurrogateText,
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.constant(null),
  );
  const item = fc.record(
    { value: scalars, Value: scalars, type: fc.oneof(fc.constantFrom('work', 'home', 'other', 'mobile'), scalars), primary: scalars, display: scalars, $ref: scalars },
    { requiredKeys: [] },
  );
  return fc.oneof(
    { weight: 4, arbitrary: scalars },
    { weight: 2, arbitrary: item },
    { weight: 2, arbitrary: fc.array(fc.oneof(item, scalars), { maxLength: 4 }) },
    { weight: 2, arbitrary: fc.dictionary(fc.oneof(userPaths, fc.string({ maxLength: 8 })), fc.oneof(scalars, item), { maxKeys: 4 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

/** `op`/`path`/`value` in any member-name case (Entra and the validator were seen sending `Op`, `Path`, `Value`). */
function operationOf(paths: fc.Arbitrary<string>, values: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .tuple(
      fc.record(
        {
          op: opNames,
          path: fc.oneof({ weight: 12, arbitrary: paths }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) }),
          value: values,
        },
        { requiredKeys: ['op'] },
      ),
      fc.boolean(),
    )
    .map(([operation, capitalised]) =>
      capitalised ? Object.fromEntries(Object.entries(operation).map(([key, value]) => [key[0]?.toUpperCase() + key.slice(1), value])) : operation,
    );
}

/**
 * PATCH bodies: operation lists that mix well-formed operations (which mostly succeed, so the resource keeps changing)
 * with plausible-but-random ones (which mostly fail somewhere in the list), plus envelopes that are wrong as a whole.
 */
function patchBodies(paths: fc.Arbitrary<string>, values: fc.Arbitrary<unknown>, wellFormed: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<unknown> {
  const operation = fc.oneof({ weight: 3, arbitrary: wellFormed }, { weight: 2, arbitrary: operationOf(paths, values) });
  const operations = fc.array(operation, { minLength: 1, maxLength: 4 });
  return fc.oneof(
    { weight: 4, arbitrary: fc.record({ schemas: fc.constant([PATCH_OP]), Operations: fc.array(wellFormed, { minLength: 1, maxLength: 3 }) }) },
    { weight: 6, arbitrary: fc.record({ schemas: fc.constant([PATCH_OP]), Operations: operations }) },
    { weight: 1, arbitrary: fc.record({ schemas: fc.jsonValue({ maxDepth: 1 }), operations }, { requiredKeys: ['operations'] }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.record({ Operations: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 })) }) },
  );
}

const setOp = fc.mixedCase(fc.constantFrom('add', 'replace'));
const removeOp = fc.mixedCase(fc.constant('remove'));
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 12 }) },
  { weight: 2, arbitrary: freeText },
  { weight: 1, arbitrary: fc.constantFrom('', null) }, // Q15: a remove
);

/** Operations Entra or the validator send, with values of the right type: they should mostly apply. */
function wellFormedUserOperations(): fc.Arbitrary<Record<string, unknown>> {
  const ids = fc.constantFrom(...seeded.userIds);
  return fc.oneof(
    fc.record({
      op: setOp,
      path: fc.constantFrom('title', 'displayName', 'nickName', 'externalId', 'name.givenName', 'name.familyName', 'preferredLanguage', `${ENTERPRISE}:department`, `${ENTERPRISE}:employeeNumber`, `${ACME}:costCenter`),
      value: text,
    }),
    fc.record({ op: setOp, path: fc.constant('userName'), value: fc.oneof(fc.uuid().map((id) => `renamed-${id}@contoso.com`), fc.constantFrom(...seeded.userNames)) }),
    fc.record({ op: setOp, path: fc.constant('active'), value: fc.constantFrom(true, false, 'True', 'False', 'true') }),
    fc.record({
      op: setOp,
      path: fc
        .tuple(fc.constantFrom('emails', 'phoneNumbers', 'addresses', 'roles', 'entitlements'), fc.constantFrom('work', 'home', 'other', 'mobile'))
        .map(([attribute, type]) => `${attribute}[type eq "${type}"].${attribute === 'addresses' ? 'formatted' : 'value'}`),
      value: text,
    }),
    fc.record({ op: setOp, path: fc.constantFrom('emails[type eq "work"].primary', 'emails[type eq "home"].primary'), value: fc.constantFrom(true, false, 'True', 'False') }),
    fc.record({
      op: setOp,
      path: fc.constantFrom('emails', 'phoneNumbers', 'roles'),
      value: fc.array(
        fc.record({ value: fc.string({ minLength: 1, maxLength: 10 }), type: fc.constantFrom('work', 'home', 'other'), primary: fc.constantFrom(true, false, 'True', 'false') }, { requiredKeys: ['value'] }),
        { maxLength: 3 },
      ),
    }),
    fc.record({
      op: setOp,
      path: fc.constantFrom(`${ENTERPRISE}:manager`, 'manager'),
      value: fc.oneof(ids, ids.map((value) => ({ value })), ids.map((value) => [{ $ref: `../Users/${value}`, value }]), fc.constantFrom('', null)),
    }),
    fc.record({
      op: removeOp,
      path: fc.constantFrom('title', 'nickName', 'emails[type eq "home"]', 'emails[type eq "work"].value', `${ENTERPRISE}:manager`, ENTERPRISE, 'name.givenName', 'phoneNumbers', ACME, 'roles[primary eq "True"]'),
    }),
    fc.record({
      op: setOp,
      value: fc.record(
        { displayName: text, 'name.givenName': text, [`${ENTERPRISE}:employeeNumber`]: text, title: text, active: fc.constantFrom(true, 'False') },
        { requiredKeys: [] },
      ),
    }),
  );
}

/** Group operations Entra sends (T15–T17, both dialects), naming existing and unknown members. */
function wellFormedGroupOperations(targetId: () => string): fc.Arbitrary<Record<string, unknown>> {
  const ids = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...seeded.userIds, ...seeded.groupIds) }, { weight: 1, arbitrary: fc.constantFrom('unknown-id', '\uD800') });
  const names = fc.oneof(fc.uuid().map((id) => `Group ${id}`), fc.constantFrom(...seeded.groupNames.map((name) => name.toUpperCase())));
  return fc.oneof(
    fc.record({ op: setOp, path: fc.constant('displayName'), value: names }),
    fc.record({ op: setOp, path: fc.constant('externalId'), value: text }),
    fc.record({ op: fc.constant('replace'), value: fc.record({ displayName: names, externalId: text }, { requiredKeys: [] }) }),
    fc.record({ op: fc.mixedCase(fc.constant('add')), path: fc.constant('members'), value: fc.array(fc.record({ value: ids, $ref: fc.constant(null) }, { requiredKeys: ['value'] }), { maxLength: 3 }) }),
    fc.record({ op: fc.mixedCase(fc.constant('add')), path: fc.constant('members'), value: fc.constant(null).map(() => [{ value: targetId() }]) }),
    fc.record({ op: fc.constant('replace'), path: fc.constant('members'), value: fc.array(fc.record({ value: ids }), { maxLength: 2 }) }),
    fc.record({ op: removeOp, path: fc.constant('members'), value: fc.array(fc.record({ value: ids }), { minLength: 1, maxLength: 3 }) }),
    fc.record({ op: removeOp, path: ids.map((id) => `members[value eq ${JSON.stringify(id)}]`) }),
    fc.record({ op: removeOp, path: fc.constant('members') }),
  );
}

/** Every `primary` of a multi-valued item is a JSON boolean, wherever it is. */
function expectPrimariesAreBooleans(value: unknown, where: string, shown: string): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      if (typeof item === 'object' && item !== null && !Array.isArray(item) && 'primary' in item) {
        expect(typeof (item as { primary: unknown }).primary, `${where}[${index}].primary in ${shown}`).toBe('boolean');
      }
      expectPrimariesAreBooleans(item, `${where}[${index}]`, shown);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, inner] of Object.entries(value)) expectPrimariesAreBooleans(inner, `${where}.${key}`, shown);
  }
}

function expectUserInvariants(user: any, id: string): void {
  const shown = JSON.stringify(user);
  expect(user.id, shown).toBe(id);
  expect(typeof user.userName, shown).toBe('string');
  expect(user.userName, shown).not.toBe('');
  expect(typeof user.active, shown).toBe('boolean');
  expect(user.schemas, shown).toContain(CORE_USER);
  expectPrimariesAreBooleans(user, 'user', shown);
}

describe('b) any user PATCH answers 200 or a SCIM 4xx, and a failing one changes nothing', () => {
  async function patchUserProperty(body: fc.Arbitrary<unknown>, numRuns: number, examples: unknown[] = []): Promise<void> {
    const created = await scim.post('/Users', {
      schemas: [CORE_USER, ENTERPRISE],
      userName: `patch-target-${Date.now()}@contoso.com`,
      externalId: 'patch-target',
      displayName: 'Patch Target',
      emails: [{ value: 'target@contoso.com', type: 'work', primary: true }, { value: 'target@home.example', type: 'home' }],
      phoneNumbers: [{ value: '1', type: 'mobile' }],
      roles: [{ value: 'Reader', primary: true }],
      [ENTERPRISE]: { department: 'Sales', manager: { value: seeded.userIds[0] } },
      [ACME]: { costCenter: 'CC' },
    });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    await fc.assert(
      fc.asyncProperty(body, async (patch) => {
        const before = await scim.get(`/Users/${id}`);
        expect(before.status).toBe(200);
        const answer = await scim.patch(`/Users/${id}`, patch);
        const after = await scim.get(`/Users/${id}`);
        expect(after.status).toBe(200);
        if (answer.status === 200) {
          expect(answer.headers.get('content-type')).toMatch(/^application\/scim\+json\b/);
          expectUserInvariants(answer.body, id);
          expectUserInvariants(after.body, id);
          expect(after.body).toEqual(answer.body);
        } else {
          expectScimError(answer, [400, 409, 413]);
          if (answer.status === 409) expect(answer.body.scimType).toBe('uniqueness');
          expect(after.body, `after ${describeAnswer(answer)}`).toEqual(before.body);
        }
      }),
      { numRuns, examples: examples.map((example) => [example]) },
    );
  }

  it('plausible operation lists (ops in any case, valid/invalid/filtered/URN paths, values of every JSON type)', async () => {
    await patchUserProperty(patchBodies(userPaths, userValues(), wellFormedUserOperations()), 150, [
      // Unpaired surrogates in values that become table keys (userName) and index rows (displayName, emails).
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'patched\uD800@contoso.com' }] },
      // A manager id with an unpaired surrogate: its `$ref` URL is still written (U+FFFD), never a URIError and a 500.
      { schemas: [PATCH_OP], Operations: [{ op: 'Add', value: { [`${ENTERPRISE}:manager`]: { value: '\uD883?y' } } }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { displayName: '\uDC00', externalId: 'x\uDFFF' } }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'emails[type eq "work"].value', value: '\uD800@contoso.com' }] },
    ]);
  }, PROPERTY_TIMEOUT_MS);

  it('random JSON bodies', async () => {
    await patchUserProperty(fc.jsonValue({ maxDepth: 4 }), 60);
  }, PROPERTY_TIMEOUT_MS);

  it('a rename onto another user (any case) is 409 uniqueness and changes nothing', async () => {
    const created = await scim.post('/Users', { userName: `renamer-${Date.now()}@contoso.com`, displayName: 'Renamer' });
    const id = String(created.body.id);
    const before = (await scim.get(`/Users/${id}`)).body;
    const answer = await scim.patch(`/Users/${id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'displayName', value: 'Changed' },
        { op: 'replace', path: 'userName', value: String(seeded.userNames[0]).toUpperCase() },
      ],
    });
    expectScimError(answer, [409], ['uniqueness']);
    expect((await scim.get(`/Users/${id}`)).body).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// c) group PATCH

const groupPaths = fc.constantFrom(
  'displayName', 'DisplayName', 'externalId', 'members', 'Members', 'members[value eq "x"]', 'members.value', 'members.display',
  'members[value eq "a" or value eq "b"]', 'members[display eq "x"]', 'members[type eq "User"]', 'members[value eq',
  'id', 'meta', 'schemas', 'userName', 'emails', `${CORE_GROUP}:displayName`, `${CORE_GROUP}:members`, `${CORE_USER}:userName`,
  ENTERPRISE, `${ENTERPRISE}:department`, 'urn:unknown:x', 'displayName.value', 'displayName[value eq "x"]', '__proto__', '',
);

function groupValues(targetId: () => string): fc.Arbitrary<unknown> {
  const ids = fc.oneof(
    fc.constantFrom(...seeded.userIds, ...seeded.groupIds),
    fc.constant(null).map(() => targetId()),
    fc.constantFrom('unknown-id', '00000000000000000000000000000000', '', "x' or PartitionKey ne '", '\uD800'),
    fc.string({ maxLength: 10 }),
  );
  const member = fc.record(
    { value: ids, Value: ids, display: fc.string({ maxLength: 8 }), type: fc.constantFrom('User', 'Group', 'group', 'bogus'), $ref: fc.constantFrom(null, 'x') },
    { requiredKeys: [] },
  );
  const scalars = fc.oneof(
    fc.constantFrom('', ' ', 'New Name', ...seeded.groupNames, ...seeded.groupNames.map((name) => name.toUpperCase())),
    fc.uuid().map((id) => `Group ${id}`),
    fc.string({ maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
    loneSurrogateText,
    ids,
    fc.boolean(),
    fc.integer(),
    fc.constant(null),
  );
  return fc.oneof(
    { weight: 3, arbitrary: scalars },
    { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 4, arbitrary: member }, { weight: 1, arbitrary: ids }), { maxLength: 4 }) },
    { weight: 1, arbitrary: member },
    { weight: 2, arbitrary: fc.dictionary(fc.oneof(groupPaths, fc.string({ maxLength: 8 })), fc.oneof(scalars, fc.array(member, { maxLength: 2 })), { maxKeys: 3 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  );
}

const sortedMembers = (group: any): string[] => ((group.members ?? []) as { value: string }[]).map((member) => member.value).sort();

describe('c) any group PATCH answers 204 or a SCIM 4xx, and a failing one changes nothing', () => {
  async function patchGroupProperty(body: (targetId: () => string) => fc.Arbitrary<unknown>, numRuns: number, examples: unknown[] = []): Promise<void> {
    const created = await scim.post('/Groups', { schemas: [CORE_GROUP], displayName: `Patch target ${Date.now()}`, externalId: 'patch-target', members: [{ value: seeded.userIds[0] }] });
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    await fc.assert(
      fc.asyncProperty(body(() => id), async (patch) => {
        const before = await scim.get(`/Groups/${id}`);
        expect(before.status).toBe(200);
        const answer = await scim.patch(`/Groups/${id}`, patch);
        const after = await scim.get(`/Groups/${id}`);
        expect(after.status).toBe(200);
        if (answer.status === 204) {
          expect(answer.body).toBeUndefined();
          const shown = JSON.stringify(after.body);
          expect(after.body.id, shown).toBe(id);
          expect(typeof after.body.displayName, shown).toBe('string');
          expect(after.body.displayName, shown).not.toBe('');
          expect(after.body.schemas, shown).toContain(CORE_GROUP);
          for (const member of sortedMembers(after.body)) expect([...seeded.userIds, ...seeded.groupIds, id], shown).toContain(member);
        } else {
          expectScimError(answer, [400, 409, 413]);
          if (answer.status === 409) expect(answer.body.scimType).toBe('uniqueness');
          const shown = `after ${describeAnswer(answer)}`;
          expect(after.body.displayName, shown).toBe(before.body.displayName);
          expect(after.body.externalId, shown).toBe(before.body.externalId);
          expect(sortedMembers(after.body), shown).toEqual(sortedMembers(before.body));
          expect(after.body, shown).toEqual(before.body);
        }
      }),
      { numRuns, examples: examples.map((example) => [example]) },
    );
  }

  it('plausible operation lists (members by id, filters, displayName/externalId, URN paths, random values)', async () => {
    await patchGroupProperty((targetId) => patchBodies(groupPaths, groupValues(targetId), wellFormedGroupOperations(targetId)), 150, [
      { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq "\\ud800"]' }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: '\uD800' }] }] },
      { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { displayName: 'Renamed \uDC00', externalId: '\uD800' } }] },
    ]);
  }, PROPERTY_TIMEOUT_MS);

  it('random JSON bodies', async () => {
    await patchGroupProperty(() => fc.jsonValue({ maxDepth: 4 }), 60);
  }, PROPERTY_TIMEOUT_MS);
});

// ---------------------------------------------------------------------------------------------------------------
// d) user POST

const userAttributeKeys = fc.constantFrom(
  'userName', 'UserName', 'externalId', 'displayName', 'active', 'title', 'name', 'name.givenName', 'emails', 'phoneNumbers',
  'addresses', 'roles', 'entitlements', 'groups', 'id', 'meta', 'schemas', 'password', 'department', 'manager',
  ENTERPRISE, `${ENTERPRISE}:department`, `${ENTERPRISE}:manager`, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User',
  CORE_USER, `${CORE_USER}:userName`, ACME, `${ACME}:costCenter`, `${ACME}:bad name`, `${CORE_GROUP}:displayName`,
  'urn:unknown', '__proto__', 'constructor', '', 'a.b.c',
);

describe('d) any POST /Users body answers 201 or a SCIM 4xx (400/409/413)', () => {
  it('random JSON and user-shaped bodies', async () => {
    const userNames = fc.oneof(
      fc.uuid().map((id) => `new-${id}@contoso.com`),
      fc.constantFrom(...seeded.userNames, ...seeded.userNames.map((name) => name.toUpperCase()), '', ' ', 'x'),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 8 }),
      loneSurrogateText.map((text) => `${text}@contoso.com`),
      fc.jsonValue({ maxDepth: 1 }),
    );
    const userShaped = fc
      .tuple(userNames, fc.dictionary(userAttributeKeys, userValues(), { maxKeys: 6 }), fc.boolean())
      .map(([userName, rest, withUserName]) => (withUserName ? { ...rest, userName } : rest));
    // What Entra sends (T3 and its variants), with values of the right types: mostly created.
    const entraShaped = fc.record(
      {
        schemas: fc.constantFrom([CORE_USER], [CORE_USER, ENTERPRISE], [CORE_USER, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0User']),
        userName: fc.oneof({ weight: 5, arbitrary: fc.uuid().map((id) => `entra-${id}@contoso.com`) }, { weight: 1, arbitrary: userNames }),
        externalId: text,
        displayName: text,
        active: fc.constantFrom(true, false, 'True', 'False'),
        name: fc.record({ givenName: text, familyName: text, formatted: text }, { requiredKeys: [] }),
        emails: fc.oneof(
          fc.constant(null),
          fc.array(fc.record({ value: text, type: fc.constantFrom('work', 'home', 'other'), primary: fc.constantFrom(true, false, 'true', 'True') }, { requiredKeys: ['value'] }), { maxLength: 3 }),
        ),
        roles: fc.constantFrom([], null),
        title: text,
        meta: fc.constant({ resourceType: 'User' }),
        [ENTERPRISE]: fc.record({ department: text, employeeNumber: text, manager: fc.oneof(fc.constant(null), fc.constantFrom(...seeded.userIds).map((value) => ({ value }))) }, { requiredKeys: [] }),
      },
      { requiredKeys: ['userName'] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: entraShaped }, { weight: 3, arbitrary: userShaped }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) }), async (body) => {
        const answer = await scim.post('/Users', body);
        if (answer.status !== 201) {
          expectScimError(answer, [400, 409, 413]);
          return;
        }
        const shown = describeAnswer(answer);
        expect(answer.headers.get('content-type'), shown).toMatch(/^application\/scim\+json\b/);
        expect(answer.headers.get('location'), shown).toBe(`${scim.tenantUrl}/Users/${answer.body.id}`);
        expectUserInvariants(answer.body, String(answer.body.id));
        const read = await scim.get(`/Users/${answer.body.id}`);
        expect(read.status, shown).toBe(200);
        expect(read.body, shown).toEqual(answer.body);
      }),
      { numRuns: 120, examples: [[{ userName: 'new\uD800@contoso.com', displayName: '\uDC00', externalId: '\uDFFF', emails: [{ value: '\uD800' }] }]] },
    );
  }, PROPERTY_TIMEOUT_MS);
});
