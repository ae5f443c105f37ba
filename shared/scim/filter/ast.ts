// The abstract syntax of RFC 7644 §3.4.2.2 filters and §3.5.2 PATCH paths. The parser (parser.ts) produces these;
// the evaluator, the PATCH engine and the index planner consume them. Attribute names keep the caller's spelling
// here; consumers compare them case-insensitively (RFC 7643 §2.1).

export type CompareOperator = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';

/** A literal value in a filter: JSON string, number, true/false/null. Bare tokens (Q13) arrive as strings. */
export type FilterValue = string | number | boolean | null;

/**
 * An attribute reference: `[schemaUrn:]attr[.subAttr]`.
 * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value` gives
 * { schema: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', attr: 'manager', subAttr: 'value' }.
 */
export interface AttrPath {
  schema?: string;
  attr: string;
  subAttr?: string;
}

export type FilterNode =
  | { kind: 'compare'; path: AttrPath; op: CompareOperator; value: FilterValue }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and'; left: FilterNode; right: FilterNode }
  | { kind: 'or'; left: FilterNode; right: FilterNode }
  | { kind: 'not'; filter: FilterNode }
  /** `emails[type eq "work" and value co "@x"]`, optionally followed by `.subAttr` only in PATCH paths. */
  | { kind: 'valuePath'; path: AttrPath; filter: FilterNode };

/**
 * A PATCH operation path (RFC 7644 §3.5.2: PATH = attrPath / valuePath [subAttr]).
 * `emails[type eq "work"].value` gives { path: {attr:'emails'}, valueFilter: <type eq "work">, subAttr: 'value' }.
 * `name.familyName` gives { path: {attr:'name', subAttr:'familyName'} }.
 */
export interface PatchPath {
  path: AttrPath;
  valueFilter?: FilterNode;
  /** Sub-attribute after a value filter: the `.value` of `emails[type eq "work"].value`. */
  subAttr?: string;
}
