// Evaluating a /Groups filter without loading members: conditions on `members` (`members eq "u"`,
// `members.value eq "u"`, `members[value eq "u"]`) are answered by one membership point read each; everything else
// is evaluated on the group resource without members.
import { type FilterNode, matchesFilter } from '../scim/filter/index.js';

export type MembershipCheck = (memberId: string) => Promise<boolean>;

function memberIdOf(node: FilterNode): string | undefined {
  if (node.kind === 'compare' && node.op === 'eq' && typeof node.value === 'string' && node.path.attr.toLowerCase() === 'members') {
    const sub = node.path.subAttr?.toLowerCase();
    if (sub === undefined || sub === 'value') return node.value;
  }
  if (node.kind === 'valuePath' && node.path.attr.toLowerCase() === 'members') {
    const inner = node.filter;
    if (inner.kind === 'compare' && inner.op === 'eq' && inner.path.attr.toLowerCase() === 'value' && typeof inner.value === 'string') {
      return inner.value;
    }
  }
  return undefined;
}

export function mentionsMembers(node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
    case 'or':
      return mentionsMembers(node.left) || mentionsMembers(node.right);
    case 'not':
      return mentionsMembers(node.filter);
    default:
      return node.path.attr.toLowerCase() === 'members';
  }
}

export async function matchesGroupFilter(resource: Record<string, unknown>, node: FilterNode, isMember: MembershipCheck): Promise<boolean> {
  switch (node.kind) {
    case 'and':
      return (await matchesGroupFilter(resource, node.left, isMember)) && matchesGroupFilter(resource, node.right, isMember);
    case 'or':
      return (await matchesGroupFilter(resource, node.left, isMember)) || matchesGroupFilter(resource, node.right, isMember);
    case 'not':
      return !(await matchesGroupFilter(resource, node.filter, isMember));
    default: {
      const memberId = memberIdOf(node);
      if (memberId !== undefined) return isMember(memberId);
      if (mentionsMembers(node)) return false;
      return matchesFilter(resource, node);
    }
  }
}

/** The group ids an `id eq "…"` (possibly and-ed with other conditions) pins the query to. */
export function pinnedGroupId(node: FilterNode): string | undefined {
  if (node.kind === 'compare' && node.op === 'eq' && node.path.attr.toLowerCase() === 'id' && node.path.subAttr === undefined && typeof node.value === 'string') {
    return node.value;
  }
  if (node.kind === 'and') return pinnedGroupId(node.left) ?? pinnedGroupId(node.right);
  return undefined;
}

/** The displayName or externalId an `eq` (possibly and-ed) pins the query to. */
export function pinnedAttribute(node: FilterNode, attr: 'displayname' | 'externalid'): string | undefined {
  if (node.kind === 'compare' && node.op === 'eq' && node.path.attr.toLowerCase() === attr && node.path.subAttr === undefined && typeof node.value === 'string') {
    return node.value;
  }
  if (node.kind === 'and') return pinnedAttribute(node.left, attr) ?? pinnedAttribute(node.right, attr);
  return undefined;
}
