// A seeded local host for the property-based tests over HTTP, and what every SCIM answer must look like (RFC 7644
// §3.12 error envelopes with 4xx statuses, G7; ListResponses), shared by the filter and write property tests.
import fc from 'fast-check';
import { expect } from 'vitest';
import { ScimClient, startTestHost, type TestHost } from './test-host.js';

export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const ACME = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User';

/** Per-property budget: enough inputs to find edge cases, few enough that the file runs in well under a minute. */
export const RUNS = 100;
export const PROPERTY_TIMEOUT_MS = 120_000;

export type Answer = Awaited<ReturnType<ScimClient['get']>>;

export interface SeededHost {
  host: TestHost;
  scim: ScimClient;
  /** Ids and names of the seeded resources, for value pools (members, userName clashes). */
  seeded: { userIds: string[]; userNames: string[]; groupIds: string[]; groupNames: string[] };
}

/** A host with one `create` integration holding three users with awkward values and three groups of them. */
export async function startSeededHost(): Promise<SeededHost> {
  const seeded: SeededHost['seeded'] = { userIds: [], userNames: [], groupIds: [], groupNames: [] };
  const host = await startTestHost();
  const integration = await host.createIntegration('create', 'Properties');
  const scim = new ScimClient(integration.tenantUrl, integration.secretToken);
  const users: Record<string, unknown>[] = [
    {
      schemas: [CORE_USER, ENTERPRISE],
      userName: 'alice@contoso.com',
      externalId: 'ext-alice',
      displayName: 'Alice Adams',
      active: true,
      name: { givenName: 'Alice', familyName: 'Adams' },
      emails: [
        { value: 'alice@contoso.com', type: 'work', primary: true },
        { value: 'alice@home.example', type: 'home' },
      ],
      phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
      [ENTERPRISE]: { department: 'Sales', employeeNumber: '42' },
    },
    { userName: "o'brien@contoso.com", externalId: "it's", displayName: 'Pat O\'Brien "quoted"', active: false, title: '50% #1 / \\ back' },
    { userName: 'ünïcødé@contoso.com', displayName: '日本語 😀', emails: [{ value: 'u@contoso.com', type: 'work', primary: true }] },
  ];
  for (const user of users) {
    const response = await scim.post('/Users', user);
    expect(response.status).toBe(201);
    seeded.userIds.push(String(response.body.id));
    seeded.userNames.push(String(response.body.userName));
  }
  for (const displayName of ['Sales Team', "Ops 'n' Dev", 'Ünïcode Group']) {
    const response = await scim.post('/Groups', { schemas: [CORE_GROUP], displayName, externalId: `ext-${displayName}`, members: seeded.userIds.map((value) => ({ value })) });
    expect(response.status).toBe(201);
    seeded.groupIds.push(String(response.body.id));
    seeded.groupNames.push(displayName);
  }
  return { host, scim, seeded };
}

// ---------------------------------------------------------------------------------------------------------------
// What every answer must look like

export function describeAnswer(answer: Answer): string {
  return `${answer.status} ${answer.headers.get('content-type') ?? '(no content-type)'} ${JSON.stringify(answer.body)?.slice(0, 400) ?? '(no body)'}`;
}

/** An RFC 7644 §3.12 error envelope with one of the allowed statuses (and, when given, scimTypes). */
export function expectScimError(answer: Answer, statuses: readonly number[], scimTypes?: readonly string[]): void {
  const shown = describeAnswer(answer);
  expect(statuses, shown).toContain(answer.status);
  expect(answer.headers.get('content-type'), shown).toMatch(/^application\/scim\+json\b/);
  expect(answer.body, shown).toEqual(expect.objectContaining({ schemas: [ERROR], status: String(answer.status) }));
  expect(typeof answer.body.detail, shown).toBe('string');
  expect(String(answer.body.detail).trim(), shown).not.toBe('');
  if (scimTypes !== undefined) expect(scimTypes, shown).toContain(answer.body.scimType);
}

/** 200 with a ListResponse, or 400 invalidFilter/tooMany. */
export function expectListOrFilterError(answer: Answer): void {
  const shown = describeAnswer(answer);
  if (answer.status !== 200) {
    expectScimError(answer, [400], ['invalidFilter', 'tooMany']);
    return;
  }
  expect(answer.headers.get('content-type'), shown).toMatch(/^application\/scim\+json\b/);
  expect(answer.body?.schemas, shown).toEqual([LIST_RESPONSE]);
  expect(typeof answer.body.totalResults, shown).toBe('number');
  expect(Array.isArray(answer.body.Resources), shown).toBe(true);
  expect(answer.body.totalResults, shown).toBeGreaterThanOrEqual(answer.body.Resources.length);
  for (const resource of answer.body.Resources) expect(typeof resource.id, shown).toBe('string');
}

// Text that stresses encodings, keys and escaping, for filter values and attribute values alike.
/** Characters and words that break naive escaping: quotes, %, #, /, \, storage-query syntax, unicode, controls. */
export const nastyText = fc.constantFrom(
  "'", "''", '"', '\\', '\\"', '%', '%27', '%22', '%00', '#', '/', '?', '&', '=', '+', ' ', '', '\t', '\n', '\u0000',
  "x' or PartitionKey ne '", "' or 1 eq 1 or ''eq'", 'a\\" or true', ') or (', '] or [', 'ß', 'İ', '\u212A', 'ǅ',
  '日本語', '😀', '\uD800', '\uDFFF', 'e\u0301', 'alice@contoso.com', 'ALICE@CONTOSO.COM', "o'brien@contoso.com",
  '2015-10-10T14:38:21.8617979-07:00', 'true', 'False', 'null', '42', '-1.5e3', '1e999', '0x10', 'NaN',
);
/** Text with an unpaired UTF-16 surrogate: a JSON string may carry one (`"\\ud800"`), and so may a filter literal. */
export const loneSurrogateText = fc
  .tuple(fc.string({ maxLength: 3 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 3 }))
  .map(([before, code, after]) => before + String.fromCharCode(code) + after);
export const freeText = fc.oneof(
  { weight: 3, arbitrary: nastyText },
  { weight: 1, arbitrary: loneSurrogateText },
  { weight: 2, arbitrary: fc.string({ maxLength: 10 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
);
