// What kind of group a Graph group is, from groupTypes, securityEnabled and mailEnabled (the table in
// ../shared/graph-sync.md section 1.2), and whether an integration's group kinds select it. "dynamic" is a switch on
// top of the base kind: a dynamic security group is selected when both "security" and "dynamic" are chosen.
import type { GroupKind } from './graph-integration-settings.js';

export type GroupBaseKind = 'security' | 'mailEnabledSecurity' | 'microsoft365' | 'distribution';

export interface GroupClassification {
  readonly baseKind: GroupBaseKind;
  readonly dynamic: boolean;
}

/** The group properties classification reads; name them in $select. */
export const GROUP_KIND_PROPERTIES = ['groupTypes', 'securityEnabled', 'mailEnabled'] as const;

export interface GroupKindFields {
  readonly groupTypes?: readonly string[] | null;
  readonly securityEnabled?: boolean | null;
  readonly mailEnabled?: boolean | null;
}

export function classifyGroup(group: GroupKindFields): GroupClassification {
  const types = group.groupTypes ?? [];
  const dynamic = types.includes('DynamicMembership');
  if (types.includes('Unified')) return { baseKind: 'microsoft365', dynamic };
  if (group.securityEnabled === true) return { baseKind: group.mailEnabled === true ? 'mailEnabledSecurity' : 'security', dynamic };
  return { baseKind: 'distribution', dynamic };
}

/**
 * The kind a selected group is recorded with (a group record's `kind`, the admin groups list's filter): `dynamic` for
 * a dynamic group whatever its base kind, else its base kind. Distribution lists are never selected, so never recorded.
 */
export function groupKindOf(classification: GroupClassification): GroupBaseKind | 'dynamic' {
  return classification.dynamic ? 'dynamic' : classification.baseKind;
}

/** Distribution lists are never imported: they are Exchange mail lists, not a targeting kind issue 6 names. */
export function groupKindSelected(classification: GroupClassification, kinds: readonly GroupKind[]): boolean {
  if (classification.baseKind === 'distribution') return false;
  if (!kinds.includes(classification.baseKind)) return false;
  return !classification.dynamic || kinds.includes('dynamic');
}
