// How deep a JSON value nests, measured without recursion, so that a body nesting objects or arrays thousands of
// levels deep is refused as a caller's mistake before any recursive walk (the PATCH engine expanding path-less values,
// structuredClone, JSON.stringify) could overflow the call stack. Real SCIM bodies nest fewer than ten levels.

import { badRequest } from './errors.js';
import type { ScimType } from './errors.js';

/** Deepest nesting accepted in a SCIM request body: objects and arrays count one level each. */
export const MAX_JSON_NESTING_DEPTH = 32;

/** Whether `value` holds objects or arrays nested more than `limit` levels deep (a primitive is depth 0). */
export function exceedsNestingDepth(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [current, depth] = next;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(current)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

/** Throws a 400 of `scimType` naming `what` when `value` nests deeper than MAX_JSON_NESTING_DEPTH. */
export function requireBoundedNesting(value: unknown, what: string, scimType: ScimType = 'invalidValue'): void {
  if (exceedsNestingDepth(value, MAX_JSON_NESTING_DEPTH)) {
    throw badRequest(scimType, `${what} is nested more than ${MAX_JSON_NESTING_DEPTH} levels deep`);
  }
}
