// Okta's "SCIM 2.0 SPEC Test" (OIN submission suite; ../shared/conformance/okta-scim20-spec, the Postman conversion),
// run with newman against the real function registrations. The suite needs one pre-existing complete user, which we
// seed first. The failed assertions must be exactly the deliberate differences below (docs/conformance.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScimClient, startTestHost, type TestHost } from '../support/test-host.js';
import { type AllowedFailure, compareWithAllowList, conformancePath, runSuite } from './run-newman.js';

/** Every assertion of the suite that we fail on purpose (or do not judge), with what we answer and why. */
export const OKTA_ALLOWED_FAILURES: readonly AllowedFailure[] = [
  {
    // It usually passes (a few ms locally), but a loaded CI machine can exceed 600 ms: not judged either way.
    failure: '10 Optional Test: Verify Groups endpoint :: is_less_than response_time 600',
    ourAnswer: '200, usually in a few milliseconds; not judged',
    reason: 'timing assertions are not deterministic; performance is checked by npm run bench',
    nondeterministic: true,
  },
];

let host: TestHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host?.close());

describe('Okta SCIM 2.0 SPEC Test', () => {
  it('fails exactly the allow-listed assertions', { timeout: 120_000 }, async () => {
    const integration = await host.createIntegration('create', 'Okta SPEC test');
    const scim = new ScimClient(integration.tenantUrl, integration.secretToken);
    const seeded = await scim.post('/Users', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'okta.seed@contoso.com',
      name: { givenName: 'Okta', familyName: 'Seed' },
      emails: [{ value: 'okta.seed@contoso.com', type: 'work', primary: true }],
      active: true,
    });
    expect(seeded.status, JSON.stringify(seeded.body)).toBe(201);

    const run = await runSuite({
      collection: conformancePath('okta-scim20-spec', 'Okta-SCIM-20-SPEC-Test.postman_collection.json'),
      envVars: { SCIMBaseURL: integration.tenantUrl, auth: `Bearer ${integration.secretToken}` },
    });
    expect(run.requests, 'requests sent').toBe(12);
    // On a mismatch the message lists each unexpected failure with its response; the diff shows the keys.
    const result = compareWithAllowList(run, OKTA_ALLOWED_FAILURES);
    expect(result.actual, result.report).toEqual(result.expected);
  });
});
