// The `attributes` and `excludedAttributes` query parameters (RFC 7644 §3.4.2.5).
//
// Names are case-insensitive and may be URN-qualified (`urn:…:enterprise:2.0:User:department`), name a whole
// extension (`urn:…:enterprise:2.0:User`) or a sub-attribute (`name.givenName`). Bracketed names as the Microsoft
// Postman suite sends them (`emails[type eq "work"]`, `emails[type eq "work"].value`) select the matching elements.
// A name that cannot be parsed is ignored: projection never fails a request. `id`, `schemas` and
// `meta.resourceType`, plus the caller's `alwaysReturned`, survive both parameters. When both parameters are given,
// `attributes` selects first and `excludedAttributes` then removes from that selection.

import type { AttrPath, FilterNode } from './filter/ast.js';
import { defaultCaseExact, matchesFilter } from './filter/evaluate.js';
import { parsePatchPath } from './filter/parser.js';
import { findKey, isCoreSchemaUrn, isJsonObject } from './filter/resource-attributes.js';
import type { JsonObject } from './filter/resource-attributes.js';

export interface ProjectionOptions {
  attributes?: string[];
  excludedAttributes?: string[];
}

/** Returned whatever the parameters say (RFC 7643 `returned: always`). */
export const ALWAYS_RETURNED_ATTRIBUTES: readonly string[] = ['id', 'schemas', 'meta.resourceType'];

/** What the parameters say about one attribute (or one extension object). */
interface AttributeSelection {
  /** The attribute name as first written, for caseExact rules inside element filters. */
  attr: string;
  whole: boolean;
  /** Lower-cased sub-attribute names, for every element of a multi-valued attribute. */
  subAttrs: Set<string>;
  /** Elements matching `filter`; all of each element, or only `subAttr` of it. */
  elementPicks: { filter: FilterNode; subAttr?: string }[];
}

/** Selections keyed by lower-cased attribute name; extension objects hold their own nested selections. */
interface ResourceSelection {
  attributes: Map<string, AttributeSelection>;
  extensions: Map<string, ResourceSelection>;
}

/** Applies `attributes`/`excludedAttributes` to a resource. The result shares unchanged values with the input. */
export function projectResource(
  resource: Record<string, unknown>,
  options: ProjectionOptions,
  alwaysReturned: readonly string[] = [],
): Record<string, unknown> {
  const protectedNames = [...ALWAYS_RETURNED_ATTRIBUTES, ...alwaysReturned];
  const protectedSelection = selectionFor(resource, protectedNames);
  let projected: JsonObject = resource;
  if (options.attributes !== undefined && options.attributes.length > 0) {
    projected = keepSelected(resource, selectionFor(resource, [...options.attributes, ...protectedNames]));
  }
  if (options.excludedAttributes !== undefined && options.excludedAttributes.length > 0) {
    projected = removeSelected(projected, selectionFor(resource, options.excludedAttributes), protectedSelection);
  }
  return projected === resource ? { ...resource } : projected;
}

/**
 * Splits an `attributes`/`excludedAttributes` parameter on commas outside brackets and quotes:
 * `emails[type eq "work"],name.givenName` gives two names. Empty or absent gives undefined.
 */
export function parseAttributeList(param: string | null): string[] | undefined {
  if (param === null) return undefined;
  const names: string[] = [];
  let bracketDepth = 0;
  let inQuotes = false;
  let current = '';
  for (let index = 0; index < param.length; index++) {
    const char = param[index] ?? '';
    if (inQuotes) {
      if (char === '\\') {
        current += char + (param[index + 1] ?? '');
        index++;
        continue;
      }
      if (char === '"') inQuotes = false;
    } else if (char === '"') inQuotes = true;
    else if (char === '[') bracketDepth++;
    else if (char === ']') bracketDepth = Math.max(0, bracketDepth - 1);
    else if (char === ',' && bracketDepth === 0) {
      names.push(current);
      current = '';
      continue;
    }
    current += char;
  }
  names.push(current);
  const trimmed = names.map((name) => name.trim()).filter((name) => name.length > 0);
  return trimmed.length > 0 ? trimmed : undefined;
}

function emptySelection(): ResourceSelection {
  return { attributes: new Map(), extensions: new Map() };
}

function attributeSelection(selection: ResourceSelection, attr: string): AttributeSelection {
  const key = attr.toLowerCase();
  let attribute = selection.attributes.get(key);
  if (attribute === undefined) {
    attribute = { attr, whole: false, subAttrs: new Set(), elementPicks: [] };
    selection.attributes.set(key, attribute);
  }
  return attribute;
}

function selectionFor(resource: JsonObject, names: readonly string[]): ResourceSelection {
  const selection = emptySelection();
  for (const name of names) addName(selection, resource, name.trim());
  return selection;
}

function addName(selection: ResourceSelection, resource: JsonObject, name: string): void {
  // A name that is a key of the resource as written (an attribute or a whole extension URN) selects all of it.
  if (findKey(resource, name) !== undefined) {
    attributeSelection(selection, name).whole = true;
    return;
  }
  let parsed;
  try {
    parsed = parsePatchPath(name);
  } catch {
    return;
  }
  const { path, valueFilter, subAttr } = parsed;
  let target = selection;
  if (path.schema !== undefined && !isCoreSchemaUrn(path.schema)) {
    const extensionKey = path.schema.toLowerCase();
    target = selection.extensions.get(extensionKey) ?? emptySelection();
    selection.extensions.set(extensionKey, target);
  }
  const attribute = attributeSelection(target, path.attr);
  if (valueFilter !== undefined) {
    attribute.elementPicks.push(subAttr === undefined ? { filter: valueFilter } : { filter: valueFilter, subAttr });
  } else if (path.subAttr !== undefined) {
    attribute.subAttrs.add(path.subAttr.toLowerCase());
  } else {
    attribute.whole = true;
  }
}

// ---- attributes: keep only what is selected -------------------------------------------------------------------

function keepSelected(container: JsonObject, selection: ResourceSelection): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(container)) {
    const lowerKey = key.toLowerCase();
    const attribute = selection.attributes.get(lowerKey);
    const extension = selection.extensions.get(lowerKey);
    let kept: unknown;
    if (attribute?.whole === true) kept = value;
    else if (extension !== undefined && isJsonObject(value)) kept = nonEmptyObject(keepSelected(value, extension));
    else if (attribute !== undefined) kept = keepInAttribute(value, attribute);
    if (kept !== undefined) result[key] = kept;
  }
  return result;
}

function keepInAttribute(value: unknown, selection: AttributeSelection): unknown {
  if (!Array.isArray(value)) return keepInElement(value, selection);
  const kept = (value as unknown[]).map((element) => keepInElement(element, selection)).filter((e) => e !== undefined);
  return kept.length > 0 ? kept : undefined;
}

function keepInElement(element: unknown, selection: AttributeSelection): unknown {
  const picks = matchingPicks(element, selection);
  if (picks.some((pick) => pick.subAttr === undefined)) return element;
  if (!isJsonObject(element)) return undefined;
  const names = new Set(selection.subAttrs);
  for (const pick of picks) if (pick.subAttr !== undefined) names.add(pick.subAttr.toLowerCase());
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(element)) if (names.has(key.toLowerCase())) result[key] = value;
  return nonEmptyObject(result);
}

// ---- excludedAttributes: remove what is selected, except what is protected -------------------------------------

function removeSelected(
  container: JsonObject,
  selection: ResourceSelection,
  protectedSelection: ResourceSelection,
): JsonObject {
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(container)) {
    const lowerKey = key.toLowerCase();
    const attribute = selection.attributes.get(lowerKey);
    const extension = selection.extensions.get(lowerKey);
    const guarded = protectedSelection.attributes.get(lowerKey);
    let kept: unknown = value;
    if (guarded?.whole === true) kept = value;
    else if (attribute?.whole === true) kept = guarded === undefined ? undefined : keepInAttribute(value, guarded);
    else if (extension !== undefined && isJsonObject(value)) {
      const guardedExtension = protectedSelection.extensions.get(lowerKey) ?? emptySelection();
      kept = nonEmptyObject(removeSelected(value, extension, guardedExtension));
    } else if (attribute !== undefined) kept = removeInAttribute(value, attribute, guarded);
    if (kept !== undefined) result[key] = kept;
  }
  return result;
}

function removeInAttribute(
  value: unknown,
  selection: AttributeSelection,
  guarded: AttributeSelection | undefined,
): unknown {
  if (!Array.isArray(value)) return removeInElement(value, selection, guarded);
  const kept = (value as unknown[])
    .map((element) => removeInElement(element, selection, guarded))
    .filter((element) => element !== undefined);
  return kept.length > 0 ? kept : undefined;
}

function removeInElement(
  element: unknown,
  selection: AttributeSelection,
  guarded: AttributeSelection | undefined,
): unknown {
  const picks = matchingPicks(element, selection);
  if (picks.some((pick) => pick.subAttr === undefined)) return undefined;
  if (!isJsonObject(element)) return element;
  const removed = new Set(selection.subAttrs);
  for (const pick of picks) if (pick.subAttr !== undefined) removed.add(pick.subAttr.toLowerCase());
  for (const name of guarded?.subAttrs ?? []) removed.delete(name);
  if (removed.size === 0) return element;
  const result: JsonObject = {};
  for (const [key, value] of Object.entries(element)) if (!removed.has(key.toLowerCase())) result[key] = value;
  return nonEmptyObject(result);
}

function matchingPicks(element: unknown, selection: AttributeSelection): AttributeSelection['elementPicks'] {
  if (selection.elementPicks.length === 0) return [];
  const scope = isJsonObject(element) ? element : { value: element };
  const caseExact = (path: AttrPath): boolean => defaultCaseExact({ attr: selection.attr, subAttr: path.attr });
  return selection.elementPicks.filter((pick) => matchesFilter(scope, pick.filter, { caseExact }));
}

function nonEmptyObject(object: JsonObject): JsonObject | undefined {
  return Object.keys(object).length > 0 ? object : undefined;
}
