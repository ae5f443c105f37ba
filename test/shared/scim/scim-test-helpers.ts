// Helpers shared by the SCIM protocol tests.
import { expect } from 'vitest';
import { ScimError } from '../../../shared/scim/errors.js';

/** The ScimError `run` throws; fails the test if it throws something else or nothing. */
export function scimErrorOf(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
}

/** A PatchOp request body with these operations. */
export const patch = (...operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });

/** Applies `apply` to `doc` and checks on the way that the input document was not changed. */
export function applyPurely<D, R>(apply: (doc: D, body: unknown) => R, doc: D, body: unknown): R {
  const before = structuredClone(doc);
  try {
    return apply(doc, body);
  } finally {
    expect(doc).toEqual(before);
  }
}
