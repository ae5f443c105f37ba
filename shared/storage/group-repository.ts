// Groups of one integration live in one partition (PK g|<integration>), each with its uniqueness and index rows, so a
// group and its keys always change together in one entity-group transaction:
//   g:<id>                       the group
//   n:<case-folded displayName>  uniqueness of displayName within the integration ({ref: id})
//   x:<externalId>|<id>          index for `externalId eq` filters
//   s:<on-premises SID>|<id>     index of the groups carrying an on-premises SID (possible duplicates across sources)
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { GroupRecord } from '../directory/model/group-record.js';
import type { GroupReadOptions, GroupStore } from '../directory/model/stores.js';
import { caseFoldKey, encodeKey, prefixUpperBound, rowKeyQueryChunks } from './keys.js';
import { ConcurrentUpdateError, isConflict, isNotFound, isPreconditionFailed, KeyTakenError } from './storage-errors.js';
import { forEachBounded, MAX_TRANSACTION_ACTIONS } from './transactions.js';

/** Queries or transactions of one batch call in flight at once. */
const BATCH_PARALLELISM = 8;

export const partitionOf = (integrationId: string): string => `g|${integrationId}`;
export const nameRowKey = (displayName: string): string => `n:${caseFoldKey(displayName)}`;
export const externalIdRowKey = (externalId: string, id: string): string => `x:${encodeKey(externalId)}|${id}`;
export const sidRowKey = (sid: string, id: string): string => `s:${encodeKey(sid)}|${id}`;

/** The index rows (other than the name's) a group has: one per externalId and on-premises SID it carries. */
function indexRowKeys(group: GroupRecord): string[] {
  const keys: string[] = [];
  if (group.externalId !== undefined) keys.push(externalIdRowKey(group.externalId, group.id));
  if (group.onPremisesSecurityIdentifier !== undefined) keys.push(sidRowKey(group.onPremisesSecurityIdentifier, group.id));
  return keys;
}

function toEntity(group: GroupRecord): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: partitionOf(group.integrationId),
    rowKey: `g:${group.id}`,
    id: group.id,
    displayName: group.displayName,
    enabled: group.enabled,
    created: group.created,
    lastModified: group.lastModified,
    v: group.version,
  };
  if (group.externalId !== undefined) entity.externalId = group.externalId;
  if (group.kind !== undefined) entity.kind = group.kind;
  if (group.onPremisesSecurityIdentifier !== undefined) entity.onPremisesSecurityIdentifier = group.onPremisesSecurityIdentifier;
  if (group.pending === true) entity.pending = true;
  return entity;
}

function fromEntity(integrationId: string, entity: Record<string, unknown>): GroupRecord {
  const group: GroupRecord = {
    id: String(entity.id),
    integrationId,
    displayName: String(entity.displayName),
    enabled: entity.enabled === true,
    created: String(entity.created),
    lastModified: String(entity.lastModified),
    version: Number(entity.v ?? 1),
  };
  if (typeof entity.externalId === 'string') group.externalId = entity.externalId;
  if (typeof entity.kind === 'string') group.kind = entity.kind;
  if (typeof entity.onPremisesSecurityIdentifier === 'string') group.onPremisesSecurityIdentifier = entity.onPremisesSecurityIdentifier;
  if (typeof entity.etag === 'string') group.etag = entity.etag;
  if (entity.pending === true) group.pending = true;
  return group;
}

export class GroupRepository implements GroupStore {
  constructor(private readonly table: TableClient) {}

  async get(integrationId: string, id: string, options: GroupReadOptions = {}): Promise<GroupRecord | undefined> {
    try {
      const group = fromEntity(integrationId, await this.table.getEntity(partitionOf(integrationId), `g:${encodeKey(id)}`));
      return group.pending === true && options.includePending !== true ? undefined : group;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async findByDisplayName(integrationId: string, displayName: string, options: GroupReadOptions = {}): Promise<GroupRecord | undefined> {
    try {
      const row = await this.table.getEntity(partitionOf(integrationId), nameRowKey(displayName));
      return await this.get(integrationId, String(row.ref), options);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  findByExternalId(integrationId: string, externalId: string): Promise<GroupRecord[]> {
    return this.findIndexed(integrationId, externalIdRowKey(externalId, ''), (group) => group.externalId === externalId);
  }

  findByOnPremisesSid(integrationId: string, sid: string): Promise<GroupRecord[]> {
    return this.findIndexed(integrationId, sidRowKey(sid, ''), (group) => group.onPremisesSecurityIdentifier === sid);
  }

  /**
   * The groups carrying each of these externalIds (pending ones left out), for a page of them at once: one range
   * query over the index rows from the smallest value to the largest (the rows of other values in between are read
   * and dropped), then the groups they name, 14 to a query.
   */
  async findByExternalIds(integrationId: string, externalIds: readonly string[]): Promise<Map<string, GroupRecord[]>> {
    const found = new Map<string, GroupRecord[]>();
    const wanted = new Map([...new Set(externalIds)].map((externalId) => [encodeKey(externalId), externalId]));
    if (wanted.size === 0) return found;
    const sorted = [...wanted.keys()].sort();
    const pk = partitionOf(integrationId);
    const from = `x:${sorted[0] as string}|`;
    const to = prefixUpperBound(`x:${sorted[sorted.length - 1] as string}|`);
    const refs: string[] = [];
    for await (const row of this.table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${from} and RowKey lt ${to}`, select: ['RowKey', 'ref'] } })) {
      const rowKey = String(row.rowKey);
      if (wanted.has(rowKey.slice(2, rowKey.lastIndexOf('|')))) refs.push(String(row.ref));
    }
    for (const group of (await this.getMany(integrationId, refs)).values()) {
      if (group.externalId === undefined || !wanted.has(encodeKey(group.externalId))) continue;
      found.set(group.externalId, [...(found.get(group.externalId) ?? []), group]);
    }
    return found;
  }

  /** The groups of these ids that exist (pending ones left out), read 14 to a query. */
  async getMany(integrationId: string, ids: readonly string[]): Promise<Map<string, GroupRecord>> {
    const groups = new Map<string, GroupRecord>();
    const unique = [...new Set(ids)];
    const chunks = rowKeyQueryChunks(unique);
    const pk = partitionOf(integrationId);
    await forEachBounded(chunks, BATCH_PARALLELISM, async (chunk) => {
      const rowKeys = chunk.map((id) => odata`RowKey eq ${`g:${encodeKey(id)}`}`).join(' or ');
      for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: `${odata`PartitionKey eq ${pk}`} and (${rowKeys})` } })) {
        const group = fromEntity(integrationId, entity);
        if (group.pending !== true) groups.set(group.id, group);
      }
    });
    return groups;
  }

  /** The groups an index range `<from><id>` names; `exact` keeps the groups that really carry the value. */
  private async findIndexed(integrationId: string, from: string, exact: (group: GroupRecord) => boolean): Promise<GroupRecord[]> {
    const ids: string[] = [];
    const pk = partitionOf(integrationId);
    const to = prefixUpperBound(from);
    for await (const row of this.table.listEntities({
      queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge ${from} and RowKey lt ${to}`, select: ['ref'] },
    })) {
      ids.push(String(row.ref));
    }
    const groups = await Promise.all(ids.map((id) => this.get(integrationId, id)));
    // The range also holds the rows of values that continue with `|` (`a|b` for `a`): keep exact matches only.
    return groups.filter((g): g is GroupRecord => g !== undefined && exact(g));
  }

  /** Every group of the integration, one storage page at a time. */
  async *list(integrationId: string, pageSize = 500): AsyncGenerator<GroupRecord> {
    const pk = partitionOf(integrationId);
    const pages = this.table
      .listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${pk} and RowKey ge 'g:' and RowKey lt 'g;'` } })
      .byPage({ maxPageSize: pageSize });
    for await (const page of pages) {
      for (const entity of page) if (entity.pending !== true) yield fromEntity(integrationId, entity);
    }
  }

  async create(group: GroupRecord): Promise<GroupRecord> {
    return this.submit(group, this.createActions(group));
  }

  /**
   * Creates groups of one integration (all in its partition) as whole transactions of several groups, each group with
   * its name and index rows, a few transactions at a time. Answers each group created, in the order given, or
   * undefined for one not created: a transaction fails whole when any of its names is held, and a name given twice
   * goes to the first only; the caller creates those one by one to learn which name is taken.
   */
  async createAll(groups: readonly GroupRecord[]): Promise<(GroupRecord | undefined)[]> {
    const created: (GroupRecord | undefined)[] = groups.map(() => undefined);
    const names = new Set<string>();
    const chunks: { index: number; actions: TransactionAction[] }[][] = [[]];
    let size = 0;
    groups.forEach((group, index) => {
      if (names.has(nameRowKey(group.displayName))) return;
      names.add(nameRowKey(group.displayName));
      const actions = this.createActions(group);
      if (size + actions.length > MAX_TRANSACTION_ACTIONS) {
        chunks.push([]);
        size = 0;
      }
      (chunks[chunks.length - 1] as { index: number; actions: TransactionAction[] }[]).push({ index, actions });
      size += actions.length;
    });
    await forEachBounded(
      chunks.filter((chunk) => chunk.length > 0),
      BATCH_PARALLELISM,
      async (chunk) => {
        try {
          const response = await this.table.submitTransaction(chunk.flatMap((entry) => entry.actions));
          let position = 0;
          for (const entry of chunk) {
            const group = groups[entry.index] as GroupRecord;
            const etag = response.subResponses[position]?.etag;
            created[entry.index] = etag === undefined ? group : { ...group, etag };
            position += entry.actions.length;
          }
        } catch (error) {
          if (!isConflict(error)) throw error;
        }
      },
    );
    return created;
  }

  private createActions(group: GroupRecord): TransactionAction[] {
    const pk = partitionOf(group.integrationId);
    const actions: TransactionAction[] = [
      ['create', toEntity(group)],
      ['create', { partitionKey: pk, rowKey: nameRowKey(group.displayName), ref: group.id }],
    ];
    for (const rowKey of indexRowKeys(group)) actions.push(['create', { partitionKey: pk, rowKey, ref: group.id }]);
    return actions;
  }

  async update(before: GroupRecord, after: GroupRecord): Promise<GroupRecord> {
    const pk = partitionOf(before.integrationId);
    const next = { ...after, version: before.version + 1 };
    const actions: TransactionAction[] = [['update', toEntity(next), 'Replace', { etag: before.etag }] as TransactionAction];
    if (nameRowKey(before.displayName) !== nameRowKey(next.displayName)) {
      actions.push(['delete', { partitionKey: pk, rowKey: nameRowKey(before.displayName) }]);
      actions.push(['create', { partitionKey: pk, rowKey: nameRowKey(next.displayName), ref: next.id }]);
    }
    const [beforeKeys, nextKeys] = [indexRowKeys(before), indexRowKeys(next)];
    for (const rowKey of beforeKeys) if (!nextKeys.includes(rowKey)) actions.push(['delete', { partitionKey: pk, rowKey }]);
    for (const rowKey of nextKeys) if (!beforeKeys.includes(rowKey)) actions.push(['create', { partitionKey: pk, rowKey, ref: next.id }]);
    return this.submit(next, actions);
  }

  /**
   * Deletes the group only as it was read: the group row is first touched guarded by the ETag of the read (a delete
   * action in a transaction cannot carry one), so a writer still holding that ETag (a POST about to show its pending
   * group) fails instead. ConcurrentUpdateError when the group changed since.
   */
  async deleteIfUnchanged(group: GroupRecord): Promise<void> {
    try {
      await this.table.updateEntity({ partitionKey: partitionOf(group.integrationId), rowKey: `g:${group.id}` }, 'Merge', { etag: group.etag });
    } catch (error) {
      if (isPreconditionFailed(error) || isNotFound(error)) throw new ConcurrentUpdateError(`group ${group.id}`);
      throw error;
    }
    await this.delete(group);
  }

  async delete(group: GroupRecord): Promise<void> {
    const pk = partitionOf(group.integrationId);
    const actions: TransactionAction[] = [
      ['delete', { partitionKey: pk, rowKey: `g:${group.id}` }],
      ['delete', { partitionKey: pk, rowKey: nameRowKey(group.displayName) }],
    ];
    for (const rowKey of indexRowKeys(group)) actions.push(['delete', { partitionKey: pk, rowKey }]);
    await this.submit(group, actions);
  }

  private async submit(group: GroupRecord, actions: TransactionAction[]): Promise<GroupRecord> {
    try {
      const response = await this.table.submitTransaction(actions);
      const etag = response.subResponses[0]?.etag;
      return etag === undefined ? group : { ...group, etag };
    } catch (error) {
      if (isConflict(error)) throw new KeyTakenError(group.displayName);
      if (isPreconditionFailed(error) || isNotFound(error)) throw new ConcurrentUpdateError(`group ${group.id}`);
      throw error;
    }
  }
}
