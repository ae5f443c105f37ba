// A small tenant with everything the sync must cope with: users with every matching key and extension attributes,
// groups of each kind (security, mail-enabled security, Microsoft 365, dynamic, and a distribution list), nesting
// four levels deep, a two-group cycle, and a group outside the COMMS- prefix.
import { FakeTenant, type GraphPermission } from './fake-tenant.js';

/** The app whose directory extension the sample users carry. */
export const SAMPLE_EXTENSION_APP_ID = 'b7d8e648520f41d3b9c0fdeb91768a0a';
export const SAMPLE_COST_CENTER = `extension_${SAMPLE_EXTENSION_APP_ID}_costCenter`;

export const SAMPLE_USER_NAMES = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'] as const;
export type SampleUserName = (typeof SAMPLE_USER_NAMES)[number];

export const SAMPLE_GROUP_NAMES = ['COMMS-Top', 'COMMS-Level1', 'COMMS-Level2', 'COMMS-Level3', 'COMMS-CycleA', 'COMMS-CycleB', 'COMMS-M365', 'COMMS-Dynamic', 'COMMS-MailSecurity', 'SALES-Team', 'Everyone-Distribution'] as const;
export type SampleGroupName = (typeof SAMPLE_GROUP_NAMES)[number];

export interface SampleTenant {
  readonly tenant: FakeTenant;
  readonly users: Readonly<Record<SampleUserName, string>>;
  readonly groups: Readonly<Record<SampleGroupName, string>>;
}

export function sampleTenant(options: { permissions?: readonly GraphPermission[] } = {}): SampleTenant {
  const tenant = FakeTenant.create(options);
  const users = {} as Record<SampleUserName, string>;
  SAMPLE_USER_NAMES.forEach((name, index) => {
    users[name] = tenant.addUser({
      userPrincipalName: `${name}@contoso.example`,
      displayName: name[0]?.toUpperCase() + name.slice(1),
      mail: `${name}.mail@contoso.example`,
      employeeId: `E${1000 + index}`,
      onPremisesSamAccountName: `CONTOSO-${name}`,
      department: index % 2 === 0 ? 'Communications' : 'Sales',
      onPremisesExtensionAttributes: { extensionAttribute1: `cm-${name}`, extensionAttribute15: index === 0 ? 'last' : null },
      ...(index % 3 === 0 ? { [SAMPLE_COST_CENTER]: `CC-${index}` } : {}),
    });
  });
  const groups = {} as Record<SampleGroupName, string>;
  const kinds: Partial<Record<SampleGroupName, { kind?: 'security' | 'mailEnabledSecurity' | 'microsoft365' | 'distribution'; dynamicRule?: string }>> = {
    'COMMS-M365': { kind: 'microsoft365' },
    'COMMS-Dynamic': { dynamicRule: 'user.department -eq "Sales"' },
    'COMMS-MailSecurity': { kind: 'mailEnabledSecurity' },
    'Everyone-Distribution': { kind: 'distribution' },
  };
  for (const name of SAMPLE_GROUP_NAMES) groups[name] = tenant.addGroup({ displayName: name, ...kinds[name] });
  const edges: [SampleGroupName, string][] = [
    ['COMMS-Top', users.alice], ['COMMS-Top', groups['COMMS-Level1']],
    ['COMMS-Level1', users.bob], ['COMMS-Level1', groups['COMMS-Level2']],
    ['COMMS-Level2', users.carol], ['COMMS-Level2', groups['COMMS-Level3']],
    ['COMMS-Level3', users.dave],
    ['COMMS-CycleA', users.erin], ['COMMS-CycleA', groups['COMMS-CycleB']],
    ['COMMS-CycleB', users.frank], ['COMMS-CycleB', groups['COMMS-CycleA']],
    ['COMMS-M365', users.grace], ['COMMS-M365', users.alice],
    ['COMMS-Dynamic', users.bob], ['COMMS-Dynamic', users.dave], ['COMMS-Dynamic', users.frank],
    ['COMMS-MailSecurity', users.carol],
    ['SALES-Team', users.dave],
    ['Everyone-Distribution', users.erin],
  ];
  for (const [group, member] of edges) tenant.addMember(groups[group], member);
  return { tenant, users, groups };
}
