// Defect 7: values nested thousands of levels deep are a SCIM 400, never a stack overflow.
import { describe, expect, it } from 'vitest';
import { exceedsNestingDepth, MAX_JSON_NESTING_DEPTH } from '../../../shared/scim/json-nesting.js';
import { applyGroupPatch, applyUserPatch } from '../../../shared/scim/patch/index.js';
import { parseGroupInput, parseUserInput } from '../../../shared/scim/resource-input.js';
import { patch, scimErrorOf } from './scim-test-helpers.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** `{key: {key: … leaf …}}`, `levels` objects deep, built without recursion. */
function nested(key: string, levels: number, leaf: unknown = { displayName: 'x' }): Record<string, unknown> {
  let value: unknown = leaf;
  for (let level = 0; level < levels; level++) value = { [key]: value };
  return value as Record<string, unknown>;
}

describe('JSON nesting depth', () => {
  it('measures depth without recursion, also far past the call stack', () => {
    expect(exceedsNestingDepth(nested('a', 1_000_000), MAX_JSON_NESTING_DEPTH)).toBe(true);
    expect(exceedsNestingDepth(nested('a', MAX_JSON_NESTING_DEPTH, 1), MAX_JSON_NESTING_DEPTH)).toBe(false);
    expect(exceedsNestingDepth(nested('a', MAX_JSON_NESTING_DEPTH + 1, 1), MAX_JSON_NESTING_DEPTH)).toBe(true);
    let array: unknown = [];
    for (let level = 0; level < 100_000; level++) array = [array];
    expect(exceedsNestingDepth(array, MAX_JSON_NESTING_DEPTH)).toBe(true);
    expect(exceedsNestingDepth({ a: [1, { b: 'c' }], d: 'e' }, 3)).toBe(false);
  });

  it('a path-less PATCH value nesting the core User URN 10,000 deep is 400 invalidValue', () => {
    const body = patch({ op: 'replace', value: nested(CORE, 10_000) });
    const error = scimErrorOf(() => applyUserPatch({ userName: 'a@contoso.com' }, body));
    expect(error.status).toBe(400);
    expect(error.scimType).toBe('invalidValue');
    expect(error.detail).toMatch(/nested more than \d+ levels/);
  });

  it('a path-less PATCH nesting the core URN a few levels still applies', () => {
    const result = applyUserPatch({ userName: 'a@contoso.com' }, patch({ op: 'replace', value: nested(CORE, 3) }));
    expect(result.displayName).toBe('x');
  });

  it('deep values anywhere in a PATCH, POST or PUT body are 400, not a stack overflow', () => {
    const deep = nested('x', 10_000, 'leaf');
    for (const run of [
      () => applyUserPatch({ userName: 'a@contoso.com' }, patch({ op: 'add', path: 'nickName', value: deep })),
      () => applyGroupPatch({ displayName: 'g' }, patch({ op: 'add', path: 'members', value: [deep] })),
      () => parseUserInput({ userName: 'a@contoso.com', name: deep }),
      () => parseGroupInput({ displayName: 'g', members: [deep] }),
    ]) {
      const error = scimErrorOf(run);
      expect(error.status).toBe(400);
      expect(error.scimType).toBe('invalidValue');
    }
  });
});
