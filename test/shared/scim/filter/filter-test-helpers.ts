// Builders for expected filter ASTs and an assertion for SCIM 400 errors, shared by the filter tests.

import { expect } from 'vitest';
import type { AttrPath, CompareOperator, FilterNode, FilterValue } from '../../../../shared/scim/filter/index.js';
import { ScimError } from '../../../../shared/scim/errors.js';
import type { ScimType } from '../../../../shared/scim/errors.js';

/** `urn:…:User:manager.value` → { schema, attr: 'manager', subAttr: 'value' }, split the way the parser splits. */
export function attrPath(text: string): AttrPath {
  const lastColon = text.toLowerCase().startsWith('urn:') ? text.lastIndexOf(':') : -1;
  const [attr = '', subAttr] = text.slice(lastColon + 1).split('.');
  const path: AttrPath = { attr };
  if (lastColon >= 0) path.schema = text.slice(0, lastColon);
  if (subAttr !== undefined) path.subAttr = subAttr;
  return path;
}

export const compare = (path: string, op: CompareOperator, value: FilterValue): FilterNode => ({
  kind: 'compare',
  path: attrPath(path),
  op,
  value,
});
export const present = (path: string): FilterNode => ({ kind: 'present', path: attrPath(path) });
export const and = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'and', left, right });
export const or = (left: FilterNode, right: FilterNode): FilterNode => ({ kind: 'or', left, right });
export const not = (filter: FilterNode): FilterNode => ({ kind: 'not', filter });
export const valuePath = (path: string, filter: FilterNode): FilterNode => ({
  kind: 'valuePath',
  path: attrPath(path),
  filter,
});

/** Runs `action`, expects a ScimError 400 with `scimType`, and returns it. */
export function expectBadRequest(action: () => unknown, scimType: ScimType): ScimError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ScimError);
  const error = thrown as ScimError;
  expect(error.status).toBe(400);
  expect(error.scimType).toBe(scimType);
  return error;
}
