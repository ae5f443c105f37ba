// Evaluates a filter AST against one SCIM JSON resource (RFC 7644 §3.4.2.2).
//
// - Attribute names match case-insensitively; an extension URN looks inside the extension object, a core URN means
//   the top level, and an unqualified name not found at the top level is looked up in the extension objects.
// - Multi-valued attributes: a comparison holds when any element holds. A complex value compared without a
//   sub-attribute compares its `value` sub-attribute (`emails eq "x"`, `members eq "id"`, `manager eq "id"`).
// - `ne` is the negation of `eq` over the whole attribute: true when no element equals (also when absent).
// - `eq null` holds when the attribute is absent or null; `ne null` when it has a non-null value.
// - `pr` holds when there is a value that is not null, not "" and not an empty array or object.

import type { AttrPath, FilterNode } from './ast.js';
import { compareValue } from './compare-values.js';
import {
  getIgnoringCase,
  getUnqualifiedAttribute,
  isJsonObject,
  schemaContainer,
  valuesOf,
} from './resource-attributes.js';
import type { JsonObject } from './resource-attributes.js';

export interface MatchFilterOptions {
  /**
   * Whether string comparisons on `path` are case-sensitive. Inside a value filter the path is given relative to
   * the outer attribute: `members[value eq "x"]` asks about { attr: 'members', subAttr: 'value' }.
   * Defaults to `defaultCaseExact`.
   */
  caseExact?: (path: AttrPath) => boolean;
}

const CASE_EXACT_ATTRIBUTES: ReadonlySet<string> = new Set([
  'id',
  'externalid',
  'meta.version',
  'members.value',
  'manager.value',
]);

/** RFC 7643 caseExact for the attributes this server compares: ids, externalId and meta.version are exact. */
export function defaultCaseExact(path: AttrPath): boolean {
  const name = path.subAttr === undefined ? path.attr : `${path.attr}.${path.subAttr}`;
  return CASE_EXACT_ATTRIBUTES.has(name.toLowerCase());
}

export function matchesFilter(
  resource: Record<string, unknown>,
  filter: FilterNode,
  options: MatchFilterOptions = {},
): boolean {
  return evaluate(resource, filter, options.caseExact ?? defaultCaseExact, undefined);
}

/** One candidate value with the path whose caseExact rule applies to it. */
interface Candidate {
  value: unknown;
  path: AttrPath;
}

/**
 * @param scope the resource, or one element of a multi-valued attribute inside a value filter
 * @param outer the attribute of the enclosing value filter, for caseExact lookups
 */
function evaluate(
  scope: JsonObject,
  node: FilterNode,
  caseExact: (path: AttrPath) => boolean,
  outer: AttrPath | undefined,
): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(scope, node.left, caseExact, outer) && evaluate(scope, node.right, caseExact, outer);
    case 'or':
      return evaluate(scope, node.left, caseExact, outer) || evaluate(scope, node.right, caseExact, outer);
    case 'not':
      return !evaluate(scope, node.filter, caseExact, outer);
    case 'present':
      return attributeValues(scope, node.path).some(isPresent);
    case 'valuePath': {
      const elementPath = qualify(node.path, outer);
      return attributeValues(scope, node.path).some((element) =>
        evaluate(isJsonObject(element) ? element : { value: element }, node.filter, caseExact, elementPath),
      );
    }
    case 'compare': {
      const candidates = comparisonCandidates(scope, qualify(node.path, outer), node.path);
      if (node.value === null) {
        const hasValue = candidates.some((candidate) => candidate.value !== null && candidate.value !== undefined);
        return node.op === 'ne' ? hasValue : node.op === 'eq' && !hasValue;
      }
      const expected = node.value;
      const anyHolds = (op: typeof node.op): boolean =>
        candidates.some((candidate) => compareValue(candidate.value, op, expected, caseExact(candidate.path)));
      return node.op === 'ne' ? !anyHolds('eq') : anyHolds(node.op);
    }
  }
}

/** The path as seen from the resource: inside `members[...]`, `value` becomes `members.value`. */
function qualify(path: AttrPath, outer: AttrPath | undefined): AttrPath {
  if (outer === undefined) return path;
  const qualified: AttrPath = { attr: outer.attr, subAttr: path.attr };
  if (outer.schema !== undefined) qualified.schema = outer.schema;
  return qualified;
}

/** Every value at `attr[.subAttr]`, multi-valued attributes flattened. */
function attributeValues(scope: JsonObject, path: AttrPath): unknown[] {
  const container = schemaContainer(scope, path.schema);
  if (container === undefined) return [];
  const attribute =
    path.schema === undefined ? getUnqualifiedAttribute(container, path.attr) : getIgnoringCase(container, path.attr);
  const values = valuesOf(attribute);
  const { subAttr } = path;
  if (subAttr === undefined) return values;
  return values.flatMap((element) => (isJsonObject(element) ? valuesOf(getIgnoringCase(element, subAttr)) : []));
}

/** Values to compare: a complex value without a sub-attribute stands for its `value` sub-attribute. */
function comparisonCandidates(scope: JsonObject, qualifiedPath: AttrPath, path: AttrPath): Candidate[] {
  return attributeValues(scope, path).flatMap((value): Candidate[] => {
    if (!isJsonObject(value)) return [{ value, path: qualifiedPath }];
    if (qualifiedPath.subAttr !== undefined) return [];
    const impliedPath: AttrPath = { ...qualifiedPath, subAttr: 'value' };
    return valuesOf(getIgnoringCase(value, 'value')).map((inner) => ({ value: inner, path: impliedPath }));
  });
}

function isPresent(value: unknown): boolean {
  if (value === null || value === undefined || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isJsonObject(value)) return Object.values(value).some(isPresent);
  return true;
}
