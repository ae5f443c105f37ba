// Prints filter ASTs back to RFC 7644 filter text. `parseFilter(formatFilter(node))` gives back an equal AST for
// every AST the parser produces: strings are always quoted, `not` always takes parentheses, and `and`/`or` children
// are parenthesised exactly where left-associative precedence would otherwise regroup them.

import type { AttrPath, FilterNode, FilterValue, PatchPath } from './ast.js';

export function formatFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'compare':
      return `${formatAttrPath(node.path)} ${node.op} ${formatFilterValue(node.value)}`;
    case 'present':
      return `${formatAttrPath(node.path)} pr`;
    case 'not':
      return `not (${formatFilter(node.filter)})`;
    case 'valuePath':
      return `${formatAttrPath(node.path)}[${formatFilter(node.filter)}]`;
    case 'and':
      return `${grouped(node.left, node.left.kind === 'or')} and ${grouped(node.right, isLogical(node.right))}`;
    case 'or':
      return `${formatFilter(node.left)} or ${grouped(node.right, node.right.kind === 'or')}`;
  }
}

export function formatAttrPath(path: AttrPath): string {
  const names = path.subAttr === undefined ? path.attr : `${path.attr}.${path.subAttr}`;
  return path.schema === undefined ? names : `${path.schema}:${names}`;
}

export function formatPatchPath(patchPath: PatchPath): string {
  let text = formatAttrPath(patchPath.path);
  if (patchPath.valueFilter !== undefined) text += `[${formatFilter(patchPath.valueFilter)}]`;
  if (patchPath.subAttr !== undefined) text += `.${patchPath.subAttr}`;
  return text;
}

export function formatFilterValue(value: FilterValue): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return String(value);
}

function isLogical(node: FilterNode): boolean {
  return node.kind === 'and' || node.kind === 'or';
}

function grouped(node: FilterNode, needsParentheses: boolean): string {
  return needsParentheses ? `(${formatFilter(node)})` : formatFilter(node);
}
