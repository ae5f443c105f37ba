// The Graph integration settings schema: defaults, every accepted form, and each mistake refused with its field named.
import { describe, expect, it } from 'vitest';
import { GraphSettingsError, parseGraphIntegrationInput, parseStoredGraphSettings } from '../../../shared/graph/graph-integration-settings.js';

const TENANT = '7E000001-0000-4000-8000-000000000001';
const CLIENT = 'a9000001-0000-4000-8000-000000000001';
const minimal = { tenantId: TENANT, clientId: CLIENT, clientSecret: 'super-secret-value', groupSelection: { mode: 'all' } };

function problems(body: unknown, mode: 'create' | 'update' = 'create'): { field: string; message: string }[] {
  try {
    parseGraphIntegrationInput(body, mode);
  } catch (error) {
    expect(error).toBeInstanceOf(GraphSettingsError);
    expect((error as Error).message).not.toContain('super-secret-value');
    return [...(error as GraphSettingsError).problems];
  }
  throw new Error('expected the input to be refused');
}

function fields(body: unknown, mode: 'create' | 'update' = 'create'): string[] {
  return problems(body, mode).map((p) => p.field);
}

describe('Graph integration settings', () => {
  it('fills the defaults and keeps the secret apart from the settings', () => {
    const { settings, clientSecret } = parseGraphIntegrationInput(minimal, 'create');
    expect(clientSecret).toBe('super-secret-value');
    expect(settings).toEqual({
      tenantId: TENANT.toLowerCase(),
      clientId: CLIENT,
      cloud: 'global',
      groupSelection: { mode: 'all' },
      groupKinds: ['security', 'mailEnabledSecurity', 'microsoft365', 'dynamic'],
      membershipDepth: 'transitive',
      matchingKey: { kind: 'upn' },
      userAttributes: [],
      enabled: true,
    });
    expect(settings).not.toHaveProperty('clientSecret');
    expect(parseStoredGraphSettings(settings)).toEqual(settings);
  });

  it('accepts every selection, kind, depth, key, attribute form and cloud', () => {
    const { settings } = parseGraphIntegrationInput({
      ...minimal,
      cloud: 'china',
      groupSelection: { mode: 'displayNamePrefixes', prefixes: ['COMMS-', "O'Brien"] },
      groupKinds: ['microsoft365', 'dynamic'],
      membershipDepth: 'direct',
      matchingKey: { kind: 'extensionAttribute', attribute: 'extension_b7d8e648520f41d3b9c0fdeb91768a0a_cmUser' },
      userAttributes: ['department', 'employeeOrgData.costCenter', 'onPremisesExtensionAttributes.extensionAttribute15', 'extension_b7d8e648520f41d3b9c0fdeb91768a0a_jobGroup'],
      enabled: false,
    }, 'create');
    expect(settings).toMatchObject({ cloud: 'china', membershipDepth: 'direct', enabled: false, groupKinds: ['microsoft365', 'dynamic'] });
    const byIds = parseGraphIntegrationInput({ ...minimal, groupSelection: { mode: 'groupIds', groupIds: ['6E000001-0000-4000-8000-00000000000A'] } }, 'create');
    expect(byIds.settings.groupSelection).toEqual({ mode: 'groupIds', groupIds: ['6e000001-0000-4000-8000-00000000000a'] });
    for (const kind of ['upn', 'upnPrefix', 'mail', 'employeeId', 'onPremisesSamAccountName'] as const) {
      expect(parseGraphIntegrationInput({ ...minimal, matchingKey: { kind } }, 'create').settings.matchingKey).toEqual({ kind });
    }
  });

  it('names bad GUIDs', () => {
    expect(fields({ ...minimal, tenantId: 'contoso.onmicrosoft.com', clientId: '1234' })).toEqual(['tenantId', 'clientId']);
    expect(fields({ ...minimal, groupSelection: { mode: 'groupIds', groupIds: ['nope'] } })).toEqual(['groupSelection.groupIds.0']);
  });

  it('names unknown properties, at the top and inside', () => {
    expect(fields({ ...minimal, clientSecretId: 'x' })).toEqual(['clientSecretId']);
    expect(fields({ ...minimal, groupSelection: { mode: 'all', prefixes: ['x'] } })).toEqual(['groupSelection.prefixes']);
    expect(fields({ ...minimal, matchingKey: { kind: 'upn', attribute: 'mail' } })).toEqual(['matchingKey.attribute']);
  });

  it('refuses an empty selection, an empty prefix, duplicates and no group kinds', () => {
    expect(fields({ ...minimal, groupSelection: { mode: 'displayNamePrefixes', prefixes: [] } })).toEqual(['groupSelection.prefixes']);
    expect(fields({ ...minimal, groupSelection: { mode: 'displayNamePrefixes', prefixes: ['A', ''] } })).toEqual(['groupSelection.prefixes.1']);
    expect(fields({ ...minimal, groupSelection: { mode: 'displayNamePrefixes', prefixes: ['A', 'A'] } })).toEqual(['groupSelection.prefixes.1']);
    expect(fields({ ...minimal, groupSelection: { mode: 'some' } })).toEqual(['groupSelection.mode']);
    expect(fields({ ...minimal, groupSelection: undefined })).toEqual(['groupSelection']);
    expect(fields({ ...minimal, groupKinds: [] })).toEqual(['groupKinds']);
    expect(fields({ ...minimal, groupKinds: ['security', 'distribution'] })).toEqual(['groupKinds.1']);
  });

  it('names unknown user attributes and says how to write the ones that are nearly right', () => {
    const found = problems({ ...minimal, userAttributes: ['department', 'favouriteColour', 'skills', 'extension_b7d8e648-520f-41d3-b9c0-fdeb91768a0a_jobGroup', 'onPremisesExtensionAttributes.extensionAttribute16'] });
    expect(found.map((p) => p.field)).toEqual(['userAttributes.1', 'userAttributes.2', 'userAttributes.3', 'userAttributes.4']);
    expect(found[1]?.message).toMatch(/cannot be read for a list of users/);
    expect(found[2]?.message).toContain('extension_b7d8e648520f41d3b9c0fdeb91768a0a_jobGroup');
    expect(found[3]?.message).toMatch(/extensionAttribute1 to extensionAttribute15/);
  });

  it('refuses a matching key on an attribute that is not an extension attribute', () => {
    expect(fields({ ...minimal, matchingKey: { kind: 'extensionAttribute', attribute: 'department' } })).toEqual(['matchingKey.attribute']);
    expect(fields({ ...minimal, matchingKey: { kind: 'extensionAttribute' } })).toEqual(['matchingKey.attribute']);
  });

  it('requires the client secret on create, keeps the stored one when an update leaves it out', () => {
    const { clientSecret: _omitted, ...withoutSecret } = minimal;
    expect(fields(withoutSecret, 'create')).toEqual(['clientSecret']);
    expect(parseGraphIntegrationInput(withoutSecret, 'update').clientSecret).toBeUndefined();
    expect(fields({ ...minimal, clientSecret: '' }, 'update')).toEqual(['clientSecret']);
  });

  it('refuses a body that is not an object, and a stored row with a secret in it', () => {
    expect(fields('tenantId=x')).toEqual(['(body)']);
    expect(() => parseStoredGraphSettings({ ...minimal })).toThrow(/clientSecret: unknown property/);
  });
});
