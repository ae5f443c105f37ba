// The integration's user $select against the fake: each matching key's value and each imported attribute come back,
// nothing else does.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listUsers } from '../../../shared/graph/graph-directory-reader.js';
import type { MatchingKey } from '../../../shared/graph/graph-integration-settings.js';
import { userAttributeValue } from '../../../shared/graph/graph-user-attributes.js';
import { matchingValue, userSelect } from '../../../shared/graph/graph-user-query.js';
import { collect, graphClientFor } from '../../support/graph-fake/client-harness.js';
import { type GraphFake, startGraphFake } from '../../support/graph-fake/graph-fake.js';
import { SAMPLE_COST_CENTER, sampleTenant } from '../../support/graph-fake/sample-tenant.js';

describe('user $select and matching values', () => {
  let fake: GraphFake;
  beforeEach(() => {
    fake = startGraphFake({ tenant: sampleTenant().tenant, fake: { pageSize: 3 } });
  });
  afterEach(() => fake.close());

  const expected: [MatchingKey, string | undefined][] = [
    [{ kind: 'upn' }, 'alice@contoso.example'],
    [{ kind: 'upnPrefix' }, 'alice'],
    [{ kind: 'mail' }, 'alice.mail@contoso.example'],
    [{ kind: 'employeeId' }, 'E1000'],
    [{ kind: 'onPremisesSamAccountName' }, 'CONTOSO-alice'],
    [{ kind: 'extensionAttribute', attribute: 'onPremisesExtensionAttributes.extensionAttribute1' }, 'cm-alice'],
    [{ kind: 'extensionAttribute', attribute: SAMPLE_COST_CENTER }, 'CC-0'],
  ];
  for (const [key, value] of expected) {
    it(`reads the ${key.kind === 'extensionAttribute' ? key.attribute : key.kind} key`, async () => {
      const { client } = graphClientFor(fake);
      const select = userSelect({ matchingKey: key, userAttributes: [] });
      const users = await collect(listUsers(client, select));
      expect(users).toHaveLength(7);
      expect(matchingValue(users[0] ?? {}, key)).toBe(value);
      expect(Object.keys(users[0] ?? {}).sort()).toEqual([...select].sort());
    });
  }

  it('a user without the extension value has no matching value', async () => {
    const { client } = graphClientFor(fake);
    const key: MatchingKey = { kind: 'extensionAttribute', attribute: SAMPLE_COST_CENTER };
    const users = await collect(listUsers(client, userSelect({ matchingKey: key, userAttributes: [] })));
    expect(users.map((u) => matchingValue(u, key))).toEqual(['CC-0', undefined, undefined, 'CC-3', undefined, undefined, 'CC-6']);
  });

  it('selects each imported attribute\'s top-level property once and reads the nested ones', async () => {
    const userAttributes = ['department', 'onPremisesExtensionAttributes.extensionAttribute1', 'onPremisesExtensionAttributes.extensionAttribute15', 'employeeOrgData.costCenter'];
    const select = userSelect({ matchingKey: { kind: 'upn' }, userAttributes });
    expect(select).toEqual(['id', 'userPrincipalName', 'accountEnabled', 'department', 'onPremisesExtensionAttributes', 'employeeOrgData']);
    const { client } = graphClientFor(fake);
    const [alice] = await collect(listUsers(client, select));
    expect(userAttributes.map((name) => userAttributeValue(alice ?? {}, name))).toEqual(['Communications', 'cm-alice', 'last', undefined]);
  });
});
