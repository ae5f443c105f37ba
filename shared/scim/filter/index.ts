// The public face of the filter module: parse filters and PATCH paths, print them back, evaluate them.

export type { AttrPath, CompareOperator, FilterNode, FilterValue, PatchPath } from './ast.js';
export { defaultCaseExact, matchesFilter } from './evaluate.js';
export type { MatchFilterOptions } from './evaluate.js';
export { MAX_FILTER_LENGTH, MAX_FILTER_NESTING_DEPTH, parseFilter, parsePatchPath } from './parser.js';
export { formatAttrPath, formatFilter, formatFilterValue, formatPatchPath } from './printer.js';
