// SCIM resources and ListResponses as JSON text written piece by piece, for resources whose last attribute is read
// page by page (a group's members): a page is pulled from its source only when the text before it has been consumed,
// so a group of 100,000 members never sits in memory whole. The text parses to exactly what `projectResource` over
// the whole resource gives, with the paged attribute as the last key, as `{ ...resource, members }` places it.
import { type ProjectionOptions, projectResource } from './projection.js';

type JsonObject = Record<string, unknown>;

export interface PagedResource {
  /** The resource without its paged attribute. */
  resource: JsonObject;
  /** The paged attribute's values, page by page; absent when the attribute is not wanted. */
  pages?: AsyncIterable<JsonObject[]>;
}

/** `{"a":1}` → `{"a":1,` (ready for one more key); `{}` → `{`. */
function openObject(object: JsonObject): string {
  const text = JSON.stringify(object);
  return text === '{}' ? '{' : `${text.slice(0, -1)},`;
}

/** The elements of one page that projection keeps, as the text between `[` and `]` ('' when none). */
function pageText(page: JsonObject[], attribute: string, options: ProjectionOptions, projects: boolean): string {
  if (page.length === 0) return '';
  let kept: unknown = page;
  // Each element is projected on its own (a name selects or removes per element), so projecting one page at a time
  // gives the pages' share of projecting the whole array.
  if (projects) kept = projectResource({ [attribute]: page }, options)[attribute];
  return Array.isArray(kept) && kept.length > 0 ? JSON.stringify(kept).slice(1, -1) : '';
}

/**
 * The JSON text of one resource, projected, with `attribute` last. The first piece is yielded only once the first
 * kept page has been read (so a failing first read fails before any byte); afterwards one piece per kept page.
 */
export async function* pagedResourceJson(paged: PagedResource, attribute: string, options: ProjectionOptions): AsyncGenerator<string> {
  if (paged.pages === undefined) {
    yield JSON.stringify(projectResource(paged.resource, options));
    return;
  }
  // Projected with an empty array in place, the resource shows what the head becomes and whether an empty
  // attribute is kept (`members: []`) or dropped, exactly as in the whole resource.
  const withEmpty = projectResource({ ...paged.resource, [attribute]: [] }, options);
  const keepsEmpty = Object.hasOwn(withEmpty, attribute);
  delete withEmpty[attribute];
  const projects = (options.attributes?.length ?? 0) > 0 || (options.excludedAttributes?.length ?? 0) > 0;
  const open = `${openObject(withEmpty)}${JSON.stringify(attribute)}:[`;
  let sourceElements = 0;
  let started = false;
  for await (const page of paged.pages) {
    sourceElements += page.length;
    const text = pageText(page, attribute, options, projects);
    if (text === '') continue;
    yield started ? `,${text}` : `${open}${text}`;
    started = true;
  }
  if (started) yield ']}';
  // No element kept: an empty source is rendered as the whole resource would be; a source whose every element
  // projection removed has no attribute at all.
  else if (sourceElements === 0 && keepsEmpty) yield `${open}]}`;
  else yield JSON.stringify(withEmpty);
}

/**
 * A ListResponse whose `Resources` are paged resources, written one after the other: `envelope` holds every other
 * key of the ListResponse (in order); `Resources` is written last.
 */
export async function* pagedListResponseJson(
  envelope: JsonObject,
  resources: Iterable<PagedResource>,
  attribute: string,
  options: ProjectionOptions,
): AsyncGenerator<string> {
  const head = { ...envelope };
  delete head.Resources;
  let pending = `${openObject(head)}"Resources":[`;
  let first = true;
  for (const paged of resources) {
    if (!first) pending += ',';
    first = false;
    for await (const piece of pagedResourceJson(paged, attribute, options)) {
      yield pending + piece;
      pending = '';
    }
  }
  yield `${pending}]}`;
}
