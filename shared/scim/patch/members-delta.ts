// Group member operations never touch the group document: they accumulate into a MembersDelta, the net effect of
// the operations in order. A later operation overrides an earlier one for the same id (added then removed ends in
// `remove` only; removed then added ends in `add` only); a remove-all discards everything before it.

import { badRequest } from '../errors.js';
import type { FilterNode } from '../filter/index.js';
import type { MemberRef } from '../schemas/index.js';
import type { MembersDelta } from './patch-operation.js';

export class MembersDeltaBuilder {
  private removeAllFirst = false;
  private readonly added = new Map<string, MemberRef>();
  private readonly removed = new Set<string>();

  removeAll(): void {
    this.removeAllFirst = true;
    this.added.clear();
    this.removed.clear();
  }

  add(members: readonly MemberRef[]): void {
    for (const member of members) {
      this.removed.delete(member.value);
      this.added.delete(member.value);
      this.added.set(member.value, member);
    }
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      this.added.delete(id);
      this.removed.add(id);
    }
  }

  result(): MembersDelta {
    return { removeAll: this.removeAllFirst, add: [...this.added.values()], remove: [...this.removed] };
  }
}

/**
 * The member ids of a `members[value eq "id"]` filter (T17, flag dialect), also several joined by `or` (Q3 produces
 * those). Any other member filter is 400 invalidFilter.
 */
export function memberIdsOfFilter(filter: FilterNode, text: string): string[] {
  if (filter.kind === 'or') return [...memberIdsOfFilter(filter.left, text), ...memberIdsOfFilter(filter.right, text)];
  const isValueEquals =
    filter.kind === 'compare' &&
    filter.op === 'eq' &&
    filter.path.schema === undefined &&
    filter.path.subAttr === undefined &&
    filter.path.attr.toLowerCase() === 'value' &&
    (typeof filter.value === 'string' || typeof filter.value === 'number');
  if (!isValueEquals) {
    throw badRequest(
      'invalidFilter',
      `'${text}': a members filter must name members by id, as members[value eq "id"] (several joined with or)`,
    );
  }
  return [String(filter.value)];
}
