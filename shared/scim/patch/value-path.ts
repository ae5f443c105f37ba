// Value filters inside PATCH paths (`emails[type eq "work"]`, `roles[primary eq "True"]`): which elements they
// select, and what element to create when none does (Q5 "create-on-absent": Entra and the validator expect
// `emails[type eq "work"].value` to create `{type: "work", value}` on a user without a work email).

import { badRequest } from '../errors.js';
import { matchesFilter } from '../filter/index.js';
import type { AttrPath, FilterNode } from '../filter/index.js';
import { canonicalSimpleValue, findSubAttribute, isScimObject } from '../schemas/index.js';
import type { AttributeDefinition, ScimObject, ScimValue } from '../schemas/index.js';

/** Rejects (400 invalidFilter) a filter that names anything but sub-attributes of `definition`. */
export function checkValueFilter(definition: AttributeDefinition, filter: FilterNode, text: string): void {
  for (const path of filterPaths(filter)) {
    const known = path.schema === undefined && path.subAttr === undefined && findSubAttribute(definition, path.attr) !== undefined;
    if (!known) {
      const names = (definition.subAttributes ?? []).map((sub) => sub.name).join(', ');
      throw badRequest(
        'invalidFilter',
        `the filter in '${text}' may only compare sub-attributes of '${definition.name}' (${names}), not '${path.attr}'`,
      );
    }
  }
}

/** Whether one element of `definition` satisfies `filter`, comparing strings as the sub-attribute's caseExact says. */
export function elementMatches(definition: AttributeDefinition, element: ScimValue, filter: FilterNode): boolean {
  if (!isScimObject(element)) return false;
  return matchesFilter(element, filter, {
    caseExact: (path: AttrPath) => findSubAttribute(definition, path.attr)?.caseExact ?? false,
  });
}

/**
 * The element a filter describes, when it is made only of `eq` comparisons joined by `and`
 * (`type eq "work"` → {type: "work"}; `primary eq "True"` → {primary: true}); undefined for any other filter.
 */
export function creationTemplate(definition: AttributeDefinition, filter: FilterNode, text: string): ScimObject | undefined {
  switch (filter.kind) {
    case 'compare': {
      const sub = findSubAttribute(definition, filter.path.attr);
      if (filter.op !== 'eq' || filter.value === null || sub === undefined) return undefined;
      const literal = sub.type === 'string' || sub.type === 'reference' ? String(filter.value) : filter.value;
      return { [sub.name]: canonicalSimpleValue(sub, literal, `${text} (filter value)`) };
    }
    case 'and': {
      const left = creationTemplate(definition, filter.left, text);
      const right = creationTemplate(definition, filter.right, text);
      return left === undefined || right === undefined ? undefined : { ...left, ...right };
    }
    default:
      return undefined;
  }
}

function filterPaths(filter: FilterNode): AttrPath[] {
  switch (filter.kind) {
    case 'compare':
    case 'present':
      return [filter.path];
    case 'and':
    case 'or':
      return [...filterPaths(filter.left), ...filterPaths(filter.right)];
    case 'not':
      return filterPaths(filter.filter);
    case 'valuePath':
      return [filter.path];
  }
}
