// The SCIM /Groups resource of one integration: request bodies parsed (and PATCH bodies normalised) before anything is
// read, the directory's group operations (directory/source-groups.ts) called with the fields and member deltas they
// carry, and groups rendered as SCIM Groups whose members are read page by page only as the response is written.
// Filters pinned to an id, displayName or externalId read that group alone (group-filter.ts).
import { weakVersionTag } from '../directory/if-match.js';
import type { GroupRecord } from '../directory/model/group-record.js';
import type { IntegrationRecord } from '../directory/model/integration-record.js';
import type { GroupFields, MembershipDelta, SourceGroups } from '../directory/source-groups.js';
import type { FilterNode } from '../scim/filter/index.js';
import { applyGroupOperations, normaliseEntraPatch } from '../scim/patch/index.js';
import { parseGroupInput } from '../scim/resource-input.js';
import { matchesGroupFilter, pinnedAttribute, pinnedGroupId } from './group-filter.js';
import type { QueryOptions } from './user-service.js';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface GroupCall {
  integration: IntegrationRecord;
  locationOf: (id: string) => string;
  userLocationOf: (id: string) => string;
  ifMatch?: string | undefined;
}

type Resource = Record<string, unknown>;

/** A group for a response: the resource without members and, when wanted, its members page by page. */
export interface PagedGroup {
  resource: Resource;
  pages?: AsyncIterable<Resource[]>;
}

export interface GroupQueryResult {
  totalResults: number;
  groups: PagedGroup[];
}

export class ScimGroupService {
  constructor(private readonly groups: SourceGroups) {}

  /** The group, its members (when asked for) read page by page only as the response is written. */
  async get(call: GroupCall, id: string, includeMembers: boolean): Promise<PagedGroup> {
    const group = await this.groups.require(call.integration.id, id);
    return this.paged(call, group, includeMembers);
  }

  async query(call: GroupCall, options: QueryOptions & { includeMembers: boolean }): Promise<GroupQueryResult> {
    const integrationId = call.integration.id;
    const candidates = this.candidates(integrationId, options.filter);
    const found: GroupRecord[] = [];
    for await (const group of candidates) {
      const resource = this.resourceWithoutMembers(call, group);
      const matches =
        options.filter === undefined ||
        (await matchesGroupFilter(resource, options.filter, (memberId) => this.groups.isMember(integrationId, group.id, memberId)));
      if (matches) found.push(group);
    }
    const page = found.slice(options.startIndex - 1, options.startIndex - 1 + options.count);
    return { totalResults: found.length, groups: page.map((group) => this.paged(call, group, options.includeMembers)) };
  }

  async create(call: GroupCall, body: unknown): Promise<Resource> {
    const { doc, members } = parseGroupInput(body);
    const fields: GroupFields = { displayName: String(doc.displayName) };
    if (typeof doc.externalId === 'string') fields.externalId = doc.externalId;
    const created = await this.groups.create(call.integration.id, fields, members);
    return this.render(call, created, true);
  }

  /** The body is parsed and normalised once, before the group is read; its operations apply to the current group. */
  async patch(call: GroupCall, id: string, body: unknown): Promise<void> {
    const operations = normaliseEntraPatch(body);
    await this.groups.change(
      call.integration.id,
      id,
      (group) => {
        const { doc, members } = applyGroupOperations(documentOf(group), operations);
        return { fields: fieldsOf(doc, group), delta: members };
      },
      { ifMatch: call.ifMatch },
    );
  }

  async replace(call: GroupCall, id: string, body: unknown): Promise<Resource> {
    const { doc, members } = parseGroupInput(body);
    const delta: MembershipDelta = { removeAll: true, add: members, remove: [] };
    const group = await this.groups.change(call.integration.id, id, (current) => ({ fields: fieldsOf(doc, current), delta }), { ifMatch: call.ifMatch });
    return this.render(call, group, true);
  }

  async delete(call: GroupCall, id: string): Promise<void> {
    await this.groups.remove(call.integration.id, id, { ifMatch: call.ifMatch });
  }

  private async *candidates(integrationId: string, filter: FilterNode | undefined): AsyncGenerator<GroupRecord> {
    const id = filter === undefined ? undefined : pinnedGroupId(filter);
    if (id !== undefined) {
      const group = await this.groups.get(integrationId, id);
      if (group !== undefined) yield group;
      return;
    }
    const displayName = filter === undefined ? undefined : pinnedAttribute(filter, 'displayname');
    if (displayName !== undefined) {
      const group = await this.groups.findByDisplayName(integrationId, displayName);
      if (group !== undefined) yield group;
      return;
    }
    const externalId = filter === undefined ? undefined : pinnedAttribute(filter, 'externalid');
    if (externalId !== undefined) {
      yield* await this.groups.findByExternalId(integrationId, externalId);
      return;
    }
    yield* this.groups.list(integrationId);
  }

  private resourceWithoutMembers(call: GroupCall, group: GroupRecord): Resource {
    const resource: Resource = { schemas: [GROUP_SCHEMA], id: group.id };
    if (group.externalId !== undefined) resource.externalId = group.externalId;
    resource.displayName = group.displayName;
    resource.meta = {
      resourceType: 'Group',
      created: group.created,
      lastModified: group.lastModified,
      location: call.locationOf(group.id),
      version: weakVersionTag(group.version),
    };
    return resource;
  }

  /** The whole resource, members included (POST and PUT answers, whose members came in a bounded body). */
  private async render(call: GroupCall, group: GroupRecord, includeMembers: boolean): Promise<Resource> {
    const { resource, pages } = this.paged(call, group, includeMembers);
    if (pages === undefined) return resource;
    const members: Resource[] = [];
    for await (const page of pages) members.push(...page);
    return { ...resource, members };
  }

  private paged(call: GroupCall, group: GroupRecord, includeMembers: boolean): PagedGroup {
    const resource = this.resourceWithoutMembers(call, group);
    return includeMembers ? { resource, pages: this.memberPages(call, group) } : { resource };
  }

  /** Members as SCIM values, one storage page at a time; nothing is read until the first page is asked for. */
  private async *memberPages(call: GroupCall, group: GroupRecord): AsyncGenerator<Resource[]> {
    for await (const page of this.groups.members(call.integration.id, group.id)) {
      yield page.map((member) => {
        const item: Resource = {
          value: member.value,
          $ref: member.type === 'Group' ? call.locationOf(member.value) : call.userLocationOf(member.value),
          type: member.type,
        };
        if (member.display !== undefined) item.display = member.display;
        return item;
      });
    }
  }
}

/** The group as the PATCH engine sees it: its displayName and externalId. */
function documentOf(group: GroupRecord): { displayName: string; externalId?: string } {
  return { displayName: group.displayName, ...(group.externalId === undefined ? {} : { externalId: group.externalId }) };
}

/** The fields a SCIM Group document sets; a document without a displayName keeps the group's. */
function fieldsOf(doc: Record<string, unknown>, group: GroupRecord): GroupFields {
  const fields: GroupFields = { displayName: typeof doc.displayName === 'string' ? doc.displayName : group.displayName };
  if (typeof doc.externalId === 'string') fields.externalId = doc.externalId;
  return fields;
}
