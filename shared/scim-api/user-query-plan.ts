// Which rows can answer a /Users filter without a scan. `eq` on userName, id, externalId, displayName and
// emails.value maps to a key row or an index partition; `and` takes an indexed side, `or` needs both. Anything else
// is answered by a bounded scan. Candidates are always re-checked against the full filter by the caller.
import type { AttrPath, FilterNode } from '../scim/filter/index.js';
import { matchingKeyOf } from '../directory/person-directory.js';

export type UserLookup =
  | { kind: 'nameKey'; key: string }
  | { kind: 'id'; id: string }
  | { kind: 'index'; attr: 'externalId' | 'displayName' | 'email'; value: string };

/** A union of lookups, or undefined when the filter needs a scan. */
export type UserQueryPlan = UserLookup[] | undefined;

const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:user';

function isCore(path: AttrPath): boolean {
  return path.schema === undefined || path.schema.toLowerCase() === CORE_USER;
}

function lookupFor(path: AttrPath, value: string): UserLookup | undefined {
  if (!isCore(path)) return undefined;
  const attr = path.attr.toLowerCase();
  const sub = path.subAttr?.toLowerCase();
  if (attr === 'username' && sub === undefined) return { kind: 'nameKey', key: matchingKeyOf(value) };
  if (attr === 'id' && sub === undefined) return { kind: 'id', id: value };
  if (attr === 'externalid' && sub === undefined) return { kind: 'index', attr: 'externalId', value };
  if (attr === 'displayname' && sub === undefined) return { kind: 'index', attr: 'displayName', value: value.toLowerCase() };
  if (attr === 'emails' && (sub === undefined || sub === 'value')) return { kind: 'index', attr: 'email', value: value.toLowerCase() };
  return undefined;
}

export function planUserQuery(filter: FilterNode): UserQueryPlan {
  switch (filter.kind) {
    case 'compare': {
      if (filter.op !== 'eq' || filter.value === null || typeof filter.value === 'boolean') return undefined;
      const lookup = lookupFor(filter.path, String(filter.value));
      return lookup === undefined ? undefined : [lookup];
    }
    case 'valuePath': {
      // emails[value eq "x"] (possibly with more conditions inside) is served by the email index.
      if (!isCore(filter.path) || filter.path.attr.toLowerCase() !== 'emails') return undefined;
      const inner = planInner(filter.filter);
      return inner === undefined ? undefined : [{ kind: 'index', attr: 'email', value: inner.toLowerCase() }];
    }
    case 'and':
      return planUserQuery(filter.left) ?? planUserQuery(filter.right);
    case 'or': {
      const left = planUserQuery(filter.left);
      const right = planUserQuery(filter.right);
      return left === undefined || right === undefined ? undefined : [...left, ...right];
    }
    default:
      return undefined;
  }
}

/** The `value eq "x"` inside a value filter, if the filter requires it. */
function planInner(filter: FilterNode): string | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.attr.toLowerCase() === 'value' && typeof filter.value === 'string') {
    return filter.value;
  }
  if (filter.kind === 'and') return planInner(filter.left) ?? planInner(filter.right);
  return undefined;
}
