// The normalised PATCH operation the appliers work on, the member changes a group PATCH yields, and how an error is
// tied to the operation that caused it (`Operations[3]: …`, as scimmy does).

import { ScimError } from '../errors.js';
import type { PatchPath } from '../filter/index.js';
import type { MemberRef } from '../schemas/index.js';

/** The most operations one PATCH request may carry; more is answered with 413. */
export const MAX_PATCH_OPERATIONS = 1000;

export type PatchOpName = 'add' | 'replace' | 'remove';

export type PatchTarget =
  /** An attribute path, parsed; `text` is the path as sent (or the value key it came from), for error details. */
  | { kind: 'attribute'; path: PatchPath; text: string }
  /** A whole extension object, e.g. `remove urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`. */
  | { kind: 'extension'; urn: string };

export interface PatchOperation {
  /** Position of the operation this came from in the request's `Operations` array. */
  index: number;
  op: PatchOpName;
  target: PatchTarget;
  /** The value to add or replace with; absent on every remove. */
  value?: unknown;
}

/**
 * The net member change of a group PATCH, in the order to apply it: when `removeAll`, drop every current member
 * first; then remove the ids in `remove` and add the members in `add` (the two lists never share an id).
 */
export interface MembersDelta {
  removeAll: boolean;
  add: MemberRef[];
  remove: string[];
}

/** Runs `step` for operation `index`, prefixing any ScimError's detail with `Operations[index]: `. */
export function inOperation<T>(index: number, step: () => T): T {
  try {
    return step();
  } catch (error) {
    if (!(error instanceof ScimError) || error.detail.startsWith('Operations[')) throw error;
    throw new ScimError(error.status, `Operations[${index}]: ${error.detail}`, error.scimType, error.headers);
  }
}
