// Setting and removing one attribute of a document (or extension object) the way RFC 7644 §3.5.2 and Entra's
// dialect need it. Callers resolve the path first; these functions only edit the working copy they are given.
//  - single-valued simple: add = replace = set (Q6)
//  - single-valued complex: add/replace merge the sub-attributes given ("" or null clears one); manager is replaced
//  - multi-valued without a filter: add appends what is not already there, replace replaces the whole list
//  - multi-valued with a filter: the matching elements are changed; none matching → created from the filter (Q5),
//    reusing an element of the same `type` so that types stay unique; a remove matching nothing is a no-op
//  - one `primary: true` per attribute: setting one clears the others

import { isDeepStrictEqual } from 'node:util';
import { badRequest } from '../errors.js';
import type { FilterNode } from '../filter/index.js';
import {
  canonicalAttributeValue,
  canonicalManager,
  canonicalSimpleValue,
  canonicalSingleValue,
  findKeyIgnoringCase,
  findSubAttribute,
  invalidValue,
  isScimObject,
  managerAttribute,
} from '../schemas/index.js';
import type { AttributeDefinition, ScimObject, ScimValue } from '../schemas/index.js';
import { checkValueFilter, creationTemplate, elementMatches } from './value-path.js';

export interface EditTarget {
  /** The working object that holds the attribute: the document or an extension object. Edited in place. */
  container: ScimObject;
  definition: AttributeDefinition;
  /** `name.givenName`, `emails.value`, or the `.value` after a value filter. */
  subAttribute?: AttributeDefinition;
  valueFilter?: FilterNode;
  /** The path as sent, for error details. */
  text: string;
}

/** Sub-attributes that label an element rather than carry its content. */
const LABEL_SUB_ATTRIBUTES: ReadonlySet<string> = new Set(['type', 'primary', 'display']);

export function setAttribute(target: EditTarget, op: 'add' | 'replace', value: unknown): void {
  const { definition } = target;
  if (definition.multiValued) setMultiValued(target, op, value);
  else if (definition.type === 'complex') setComplex(target, value);
  else {
    const canonical = canonicalSimpleValue(definition, value, target.text);
    // A required attribute (userName, a group's displayName) may not be blanked out, as POST and PUT refuse it too.
    if (definition.required && typeof canonical === 'string' && canonical.trim() === '') {
      throw badRequest('invalidValue', `${definition.name} is required and cannot be blank`);
    }
    write(target.container, definition, canonical);
  }
}

export function removeAttribute(target: EditTarget): void {
  const { container, definition, subAttribute, valueFilter, text } = target;
  if (definition.required && subAttribute === undefined && valueFilter === undefined) {
    throw badRequest('invalidValue', `${definition.name} is required and cannot be removed`);
  }
  const current = read(container, definition);
  if (!definition.multiValued) {
    if (valueFilter !== undefined && (current === undefined || !elementMatches(definition, current, valueFilter))) return;
    if (subAttribute === undefined || !isScimObject(current)) write(container, definition, undefined);
    else write(container, definition, withContent(withoutSub(current, subAttribute)));
    return;
  }
  if (valueFilter !== undefined) checkValueFilter(definition, valueFilter, text);
  if (valueFilter === undefined && subAttribute === undefined) {
    write(container, definition, undefined);
    return;
  }
  const kept = listOf(current).flatMap((element): ScimValue[] => {
    if (valueFilter !== undefined && !elementMatches(definition, element, valueFilter)) return [element];
    if (subAttribute === undefined || !isScimObject(element)) return [];
    const rest = withoutSub(element, subAttribute);
    return hasContent(rest) ? [rest] : [];
  });
  write(container, definition, kept);
}

function setComplex(target: EditTarget, value: unknown): void {
  const { container, definition, subAttribute, valueFilter, text } = target;
  const current = read(container, definition);
  if (valueFilter !== undefined && (current === undefined || !elementMatches(definition, current, valueFilter))) {
    throw badRequest('noTarget', `no value of '${definition.name}' matches '${text}'`);
  }
  const base: ScimObject = isScimObject(current) ? { ...current } : {};
  if (subAttribute !== undefined) {
    write(container, definition, withContent(withSub(base, subAttribute, canonicalSimpleValue(subAttribute, value, text))));
  } else if (definition === managerAttribute) {
    write(container, definition, canonicalManager(value, text));
  } else {
    if (!isScimObject(value)) throw invalidValue(text, 'an object', value);
    write(container, definition, withContent(mergeSubAttributes(definition, base, value, text)));
  }
}

function setMultiValued(target: EditTarget, op: 'add' | 'replace', value: unknown): void {
  const { container, definition, subAttribute, valueFilter, text } = target;
  const elements = listOf(read(container, definition));
  if (valueFilter === undefined && subAttribute === undefined) {
    const incoming = listOf(canonicalAttributeValue(definition, value, text, { acceptSingleItem: true }));
    if (op === 'replace') {
      write(container, definition, incoming);
      return;
    }
    for (const item of incoming) {
      if (elements.some((element) => isDeepStrictEqual(element, item))) continue;
      elements.push(item);
      if (isPrimary(item)) keepOnlyPrimary(elements, elements.length - 1);
    }
    write(container, definition, elements);
    return;
  }
  const selected = valueFilter === undefined ? [selectWithoutFilter(target, elements)] : selectOrCreate(target, elements, valueFilter);
  const template = valueFilter === undefined ? undefined : creationTemplate(definition, valueFilter, text);
  for (const index of selected) {
    const element = elements[index];
    const base: ScimObject = isScimObject(element) ? { ...element } : {};
    let next: ScimObject;
    if (subAttribute !== undefined) next = withSub(base, subAttribute, canonicalSimpleValue(subAttribute, value, text));
    else {
      const item = canonicalSingleValue(definition, value, text);
      if (!isScimObject(item)) throw invalidValue(text, 'an object', value);
      next = op === 'add' ? { ...base, ...item } : { ...template, ...item };
    }
    elements[index] = next;
    if (isPrimary(next)) keepOnlyPrimary(elements, index);
  }
  const emptied = new Set(selected.filter((index) => !hasContent(elements[index] as ScimObject)));
  write(container, definition, elements.filter((_, index) => !emptied.has(index)));
}

/** `emails.value` without a filter: the only element, else the primary one; a new element when there is none. */
function selectWithoutFilter(target: EditTarget, elements: ScimValue[]): number {
  if (elements.length === 0) {
    elements.push({});
    return 0;
  }
  if (elements.length === 1) return 0;
  const primary = elements.findIndex(isPrimary);
  if (primary >= 0) return primary;
  const example = `${target.definition.name}[type eq "work"].${target.subAttribute?.name ?? 'value'}`;
  throw badRequest('noTarget', `'${target.text}' is ambiguous: '${target.definition.name}' has several values; select one with a filter such as ${example}`);
}

/** The indexes the filter selects; when none, the element created from the filter (Q5), pushed onto `elements`. */
function selectOrCreate(target: EditTarget, elements: ScimValue[], filter: FilterNode): number[] {
  const { definition, text } = target;
  checkValueFilter(definition, filter, text);
  const matched = elements.flatMap((element, index) => (elementMatches(definition, element, filter) ? [index] : []));
  if (matched.length > 0) return matched;
  const template = creationTemplate(definition, filter, text);
  if (template === undefined) {
    throw badRequest('noTarget', `no value of '${definition.name}' matches '${text}', and a filter other than eq/and cannot create one`);
  }
  const type = template.type;
  const sameType =
    typeof type === 'string'
      ? elements.findIndex((element) => isScimObject(element) && typeof element.type === 'string' && element.type.toLowerCase() === type.toLowerCase())
      : -1;
  if (sameType >= 0) {
    elements[sameType] = { ...(elements[sameType] as ScimObject), ...template };
    return [sameType];
  }
  elements.push(template);
  return [elements.length - 1];
}

function mergeSubAttributes(definition: AttributeDefinition, base: ScimObject, value: Record<string, unknown>, text: string): ScimObject {
  let merged = base;
  for (const [key, subValue] of Object.entries(value)) {
    const sub = findSubAttribute(definition, key);
    if (sub === undefined || sub.mutability === 'readOnly') continue;
    const canonical = subValue === null || subValue === '' ? undefined : canonicalSimpleValue(sub, subValue, `${text}.${sub.name}`);
    merged = canonical === undefined ? withoutSub(merged, sub) : withSub(merged, sub, canonical);
  }
  return merged;
}

function keepOnlyPrimary(elements: ScimValue[], chosen: number): void {
  elements.forEach((element, index) => {
    if (index !== chosen && isScimObject(element) && isPrimary(element)) elements[index] = { ...element, primary: false };
  });
}

function isPrimary(element: ScimValue | undefined): boolean {
  return isScimObject(element) && element.primary === true;
}

function hasContent(element: ScimObject): boolean {
  return Object.keys(element).some((key) => !LABEL_SUB_ATTRIBUTES.has(key.toLowerCase()));
}

function withContent(element: ScimObject): ScimObject | undefined {
  return Object.keys(element).length === 0 ? undefined : element;
}

function withSub(element: ScimObject, sub: AttributeDefinition, value: ScimValue): ScimObject {
  const next = Object.hasOwn(element, sub.name) ? { ...element } : withoutSub(element, sub);
  next[sub.name] = value;
  return next;
}

function withoutSub(element: ScimObject, sub: AttributeDefinition): ScimObject {
  const next = { ...element };
  for (let key = findKeyIgnoringCase(next, sub.name); key !== undefined; key = findKeyIgnoringCase(next, sub.name)) {
    delete next[key];
  }
  return next;
}

function listOf(value: ScimValue | undefined): ScimValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value];
}

function read(container: ScimObject, definition: AttributeDefinition): ScimValue | undefined {
  const key = findKeyIgnoringCase(container, definition.name);
  return key === undefined ? undefined : container[key];
}

/** Stores `value` under the canonical name (dropping any other spelling); undefined or [] removes the attribute. */
function write(container: ScimObject, definition: AttributeDefinition, value: ScimValue | undefined): void {
  const removes = value === undefined || (Array.isArray(value) && value.length === 0);
  for (const key of Object.keys(container)) {
    const otherSpelling = key !== definition.name && key.toLowerCase() === definition.name.toLowerCase();
    if (otherSpelling || (removes && key === definition.name)) delete container[key];
  }
  if (!removes) container[definition.name] = value;
}
