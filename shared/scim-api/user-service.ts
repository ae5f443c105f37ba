// The SCIM /Users resource of one integration: request bodies parsed (and PATCH bodies normalised) before anything is
// read, the directory's person operations (directory/person-directory.ts) called with the integration's documents, and
// people rendered as SCIM Users. Filters are answered from key rows and index rows when user-query-plan.ts finds
// some, else by a bounded scan that list-cursors.ts lets the next page resume.
import { NotFoundError } from '../directory/errors.js';
import type { IntegrationRecord } from '../directory/model/integration-record.js';
import type { PersonRecord } from '../directory/model/person-record.js';
import type { PersonDirectory, ScanPosition, SourceChange, SourceInput } from '../directory/person-directory.js';
import type { UserDocument } from '../directory/user-view.js';
import { ScimError } from '../scim/errors.js';
import { type FilterNode, formatFilter, matchesFilter } from '../scim/filter/index.js';
import { applyUserOperations, normaliseEntraPatch } from '../scim/patch/index.js';
import { describeAttributes, parseUserInput, type UserDoc } from '../scim/resource-input.js';
import { ListCursors } from './list-cursors.js';
import { planUserQuery, type UserLookup } from './user-query-plan.js';
import { renderUser } from './user-resource.js';

/** Most people a filter that no index serves may examine before the query is refused with 400 tooMany. */
export const MAX_SCANNED_PEOPLE = 250_000;

export interface ScimCall {
  integration: IntegrationRecord;
  /** Absolute URL of /Users/{id} for meta.location. */
  locationOf: (id: string) => string;
  ifMatch?: string | undefined;
}

export interface QueryOptions {
  filter?: FilterNode | undefined;
  startIndex: number;
  count: number;
}

export interface QueryResult {
  totalResults: number;
  resources: Record<string, unknown>[];
}

type Resource = Record<string, unknown>;

export class ScimUserService {
  constructor(
    private readonly people: PersonDirectory,
    private readonly cursors: ListCursors = new ListCursors(),
  ) {}

  async get(call: ScimCall, id: string): Promise<Resource> {
    const person = await this.people.get(id);
    const resource = person === undefined ? undefined : renderUser(person, call.integration.id, call.locationOf(id));
    if (resource === undefined) throw new NotFoundError(`Resource ${id} not found`);
    return resource;
  }

  async query(call: ScimCall, options: QueryOptions): Promise<QueryResult> {
    const integrationId = call.integration.id;
    const matches = (person: PersonRecord): Resource | undefined => {
      const resource = renderUser(person, integrationId, call.locationOf(person.id));
      if (resource === undefined) return undefined;
      return options.filter === undefined || matchesFilter(resource, options.filter) ? resource : undefined;
    };
    const plan = options.filter === undefined ? undefined : planUserQuery(options.filter);
    const candidates = plan === undefined ? undefined : await this.lookup(plan, integrationId);
    if (candidates !== undefined) {
      const found = candidates.map(matches).filter((r): r is Resource => r !== undefined);
      found.sort((a, b) => String(a.id).localeCompare(String(b.id)));
      return { totalResults: found.length, resources: found.slice(options.startIndex - 1, options.startIndex - 1 + options.count) };
    }
    return this.scanQuery(integrationId, options, matches);
  }

  /**
   * Answers a query no index serves by scanning people in storage order. The first page counts every match (for
   * totalResults); later pages of the same walk resume where the previous page ended.
   */
  private async scanQuery(integrationId: string, options: QueryOptions, matches: (person: PersonRecord) => Resource | undefined): Promise<QueryResult> {
    const key = `${integrationId}|${options.filter === undefined ? '' : formatFilter(options.filter)}`;
    const resumed = options.startIndex > 1 ? this.cursors.find(key, options.startIndex) : undefined;
    const page: Resource[] = [];
    let total = 0;
    let scanned = 0;
    let end: ScanPosition | undefined;
    for await (const { person, next } of this.people.scan(resumed?.position)) {
      if (++scanned > MAX_SCANNED_PEOPLE) {
        throw new ScimError(400, `The filter needs more than ${MAX_SCANNED_PEOPLE} users examined; filter by userName, externalId, displayName or emails.value.`, 'tooMany');
      }
      const resource = matches(person);
      if (resource === undefined) continue;
      total++;
      if (resumed !== undefined || total >= options.startIndex) {
        if (page.length < options.count) page.push(resource);
        if (options.count > 0 && page.length === options.count && end === undefined) {
          end = next;
          if (resumed !== undefined) break; // the total is known: no need to count the rest
        }
      }
    }
    if (resumed === undefined) this.cursors.start(key, total);
    if (end !== undefined) this.cursors.remember(key, options.startIndex + options.count, end);
    return { totalResults: resumed?.totalResults ?? total, resources: page };
  }

  async create(call: ScimCall, body: unknown): Promise<Resource> {
    const doc = parseUserInput(body) as UserDocument;
    return this.render(call, await this.people.createSource(call.integration, sourceInputOf(doc)));
  }

  async replace(call: ScimCall, id: string, body: unknown): Promise<Resource> {
    const written = changeOf(parseUserInput(body));
    return this.render(call, await this.people.writeSource(call.integration, id, () => written, { ifMatch: call.ifMatch }));
  }

  /** The body is parsed and normalised once, before the user is read; its operations apply to the current document. */
  async patch(call: ScimCall, id: string, body: unknown): Promise<Resource> {
    const operations = normaliseEntraPatch(body);
    const person = await this.people.writeSource(call.integration, id, (current) => changeOf(applyUserOperations(current as UserDoc, operations)), { ifMatch: call.ifMatch });
    return this.render(call, person);
  }

  async delete(call: ScimCall, id: string): Promise<void> {
    await this.people.clearSource(call.integration.id, id, { ifMatch: call.ifMatch });
  }

  private render(call: ScimCall, person: PersonRecord): Resource {
    const resource = renderUser(person, call.integration.id, call.locationOf(person.id));
    if (resource === undefined) throw new NotFoundError(`Resource ${person.id} not found`);
    return resource;
  }

  private async lookup(plan: UserLookup[], integrationId: string): Promise<PersonRecord[] | undefined> {
    const ids = new Set<string>();
    const people = new Map<string, PersonRecord>();
    for (const lookup of plan) {
      if (lookup.kind === 'nameKey') {
        const { found } = await this.people.findInView(integrationId, lookup.key);
        if (found !== undefined) people.set(found.id, found);
      } else if (lookup.kind === 'id') {
        ids.add(lookup.id);
      } else {
        for (const scope of [integrationId, 'cm']) {
          const found = await this.people.findIndexed({ scope, attr: lookup.attr, value: lookup.value });
          if (found === undefined) return undefined;
          for (const id of found) ids.add(id);
        }
      }
    }
    const loaded = await Promise.all([...ids].filter((id) => !people.has(id)).map((id) => this.people.get(id)));
    for (const person of loaded) if (person !== undefined) people.set(person.id, person);
    return [...people.values()];
  }
}

/** A User document with the attributes it holds, as the catalog lists them (SCIM paths). */
function changeOf(doc: UserDocument): SourceChange {
  return { doc, attributes: describeAttributes(doc as UserDoc) };
}

/** A created User: its document, attributes, and the Content Manager fields it fills (displayName, primary e-mail). */
function sourceInputOf(doc: UserDocument): SourceInput {
  const contentManager: SourceInput['contentManager'] = {};
  if (typeof doc.displayName === 'string') contentManager.displayName = doc.displayName;
  const emails = Array.isArray(doc.emails) ? (doc.emails as { value?: unknown; primary?: unknown }[]) : [];
  const email = emails.find((e) => e.primary === true) ?? emails[0];
  if (typeof email?.value === 'string') contentManager.email = email.value;
  return { ...changeOf(doc), contentManager };
}
