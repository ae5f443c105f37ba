// What the Graph sync remembers of one integration between steps and between runs, in table `syncruns`, partition
// `graph-<integration id>` (apart from the run machinery's partition `<integration id>`):
//   RowKey `state`                        the delta links of the last complete round, when the last full run ended
//   RowKey `u-<graph user id>`            a Graph user this integration matched: the person, the run that last saw it
//   RowKey `g-<graph group id>`           a selected Graph group: our group's id, the run that last saw it, and the
//                                         Graph groups nested in it at any depth (which changes make it recompute)
//   RowKey `r-<run id>`                   a run's plan: when its full part began, delta links waiting for its end
//   RowKey `c-<run id>-<graph group id>`  a group changed in a delta run: `whole` when its members must be read
//                                         again from Graph (new, removed, groups nested or un-nested), `edges` when
//                                         only users came or went (a row without either, as earlier versions wrote it:
//                                         whole)
//   RowKey `e-<run id>-<group>-<user>`    a user added to or removed from a group's direct members in a delta run
//                                         (members@delta), the last word of the round
//   RowKey `d-<run id>-<u|g>-<graph id>`  what a dry run saw (a dry run writes no `u-`/`g-` rows)
//   RowKey `t-<run id>-<step id>`         the counts a step recorded before its first write (a redelivery reports
//                                         the larger of them and its own: planner, withEarlierCounts)
//   RowKey `j-<run id>-<graph group id>-<m|e>-<n>`  the journal of a membership step's change: our group and the members
//                                         it is about to add or remove, written before either side of their
//                                         memberships (membership-journal.ts)
// Every write is an upsert or a delete of a row the step names, so a step that runs again converges.
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { isNotFound } from '../../storage/storage-errors.js';
import { forEachBounded, submitChunked, submitIgnoringGone } from '../../storage/transactions.js';
import { type JournaledChange, journaledChangeOf, type JournalEntry, journalRows } from './membership-journal.js';

export interface SyncState {
  usersDeltaLink?: string;
  groupsDeltaLink?: string;
  /** When the last full run ended (ISO). */
  lastFullAt?: string;
  /** The user and group $select the delta links track; other settings need a fresh round. */
  selectKey?: string;
}

export interface RunPlan {
  /** The phase the full run's first stage ran in (0 unless a delta run turned full). */
  fullFromPhase?: number;
  /** A delta round found its token expired or reset: the run continues as a full run. */
  resync?: boolean;
  /** Users changed whom they match: every selected group's members are recomputed. */
  rematchAll?: boolean;
  usersDeltaLink?: string;
  groupsDeltaLink?: string;
}

export interface GroupStateRow {
  graphId: string;
  groupId: string;
  seenRun: string;
  /** Graph groups nested in this one at any depth; undefined when not known (recomputed on any change). */
  descendants: string[] | undefined;
}

export interface UserStateRow {
  graphId: string;
  personId: string;
  seenRun: string;
}

export interface ChangedGroups {
  /** Groups whose members are read again whole from Graph (with every selected group they are nested in). */
  whole: Set<string>;
  /** Groups whose only change was users coming or going (applied from the run's edge changes). */
  edges: Set<string>;
}

/** A user added to (`add`) or removed from (`remove`) a Graph group's direct members. */
export interface EdgeChange {
  groupId: string;
  userId: string;
  op: 'add' | 'remove';
}

/** A group's part of a membership step's journal write (sync-state-store.ts journalChanges). */
export interface JournaledGroup {
  readonly graphId: string;
  readonly entry?: JournalEntry;
  readonly descendants?: { readonly ids: readonly string[] | undefined };
}

export interface RowPage<T> {
  rows: T[];
  /** The storage continuation of the next page; undefined on the last. */
  next: string | undefined;
}

/** Rows per page of the reconciling scans. */
const PAGE_SIZE = 500;
/** Journal rows settled by one step of the sweep after a failed run (each a group's change of up to ~900 members). */
const JOURNAL_PAGE_SIZE = 20;
/** Journal rows (up to 64 KiB each) written in one transaction. */
const JOURNAL_ROWS_PER_TRANSACTION = 40;
/** Rows per page of a whole-range read (Table Storage's largest page). */
const SCAN_PAGE_SIZE = 1000;
/** Descendant ids kept per group (a property holds 32K characters); more: unknown, so any change recomputes it. */
const MAX_DESCENDANTS = 800;

type Entity = Record<string, unknown>;

/** Stored as ids joined by commas; `*` (or nothing) when not known. */
const UNKNOWN_DESCENDANTS = '*';
const decodeDescendants = (value: unknown): string[] | undefined =>
  typeof value !== 'string' || value === UNKNOWN_DESCENDANTS ? undefined : value === '' ? [] : value.split(',');

function groupRow(entity: Entity): GroupStateRow {
  return { graphId: String(entity.rowKey).slice(2), groupId: String(entity.groupId), seenRun: typeof entity.seenRun === 'string' ? entity.seenRun : '', descendants: decodeDescendants(entity.descendants) };
}

function userRow(entity: Entity): UserStateRow {
  return { graphId: String(entity.rowKey).slice(2), personId: String(entity.personId), seenRun: typeof entity.seenRun === 'string' ? entity.seenRun : '' };
}

export class GraphSyncStateStore {
  private readonly partition: string;

  constructor(
    private readonly table: TableClient,
    integrationId: string,
  ) {
    this.partition = `graph-${integrationId}`;
  }

  private async read(rowKey: string): Promise<Entity | undefined> {
    try {
      return await this.table.getEntity<Entity>(this.partition, rowKey);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private async merge(rowKey: string, values: Entity): Promise<void> {
    await this.table.upsertEntity({ partitionKey: this.partition, rowKey, ...values }, 'Merge');
  }

  private async remove(rowKeys: readonly string[]): Promise<void> {
    // A row deleted already (a step run again) fails its whole transaction: those go one by one.
    await submitIgnoringGone(this.table, rowKeys.map((rowKey) => ['delete', { partitionKey: this.partition, rowKey }]));
  }

  private async upsertAll(rows: readonly ({ rowKey: string } & Entity)[]): Promise<void> {
    const actions: TransactionAction[] = rows.map((row) => ['upsert', { partitionKey: this.partition, ...row }, 'Replace']);
    await submitChunked(this.table, actions);
  }

  private async page(filter: string, continuation: string | undefined, pageSize = PAGE_SIZE): Promise<RowPage<Entity>> {
    const pages = this.table
      .listEntities<Entity>({ queryOptions: { filter: `PartitionKey eq '${this.partition}' and ${filter}` } })
      .byPage({ maxPageSize: pageSize, ...(continuation === undefined ? {} : { continuationToken: continuation }) });
    const result = await pages.next();
    if (result.done === true) return { rows: [], next: undefined };
    return { rows: [...result.value], next: result.value.continuationToken };
  }

  private async all(filter: string): Promise<Entity[]> {
    const rows: Entity[] = [];
    for await (const entity of this.table.listEntities<Entity>({ queryOptions: { filter: `PartitionKey eq '${this.partition}' and ${filter}` } })) rows.push(entity);
    return rows;
  }

  async getState(): Promise<SyncState> {
    const entity = await this.read('state');
    const state: SyncState = {};
    for (const key of ['usersDeltaLink', 'groupsDeltaLink', 'lastFullAt', 'selectKey'] as const) {
      if (typeof entity?.[key] === 'string' && entity[key] !== '') state[key] = entity[key];
    }
    return state;
  }

  /** Replaces the state (a full run's end, or a delta run's new links). */
  async setState(state: SyncState): Promise<void> {
    await this.table.upsertEntity({ partitionKey: this.partition, rowKey: 'state', ...state }, 'Replace');
  }

  async getPlan(runId: string): Promise<RunPlan> {
    const entity = await this.read(`r-${runId}`);
    const plan: RunPlan = {};
    if (typeof entity?.fullFromPhase === 'number') plan.fullFromPhase = entity.fullFromPhase;
    if (entity?.resync === true) plan.resync = true;
    if (entity?.rematchAll === true) plan.rematchAll = true;
    if (typeof entity?.usersDeltaLink === 'string') plan.usersDeltaLink = entity.usersDeltaLink;
    if (typeof entity?.groupsDeltaLink === 'string') plan.groupsDeltaLink = entity.groupsDeltaLink;
    return plan;
  }

  /** Sets some of a run's plan (a merge: parallel steps set different properties without losing each other's). */
  async mergePlan(runId: string, patch: RunPlan): Promise<void> {
    await this.merge(`r-${runId}`, { ...patch });
  }

  async getUser(graphId: string): Promise<UserStateRow | undefined> {
    const entity = await this.read(`u-${graphId}`);
    return entity === undefined ? undefined : userRow(entity);
  }

  /**
   * Graph id → person of every user this run matched (the `u-` rows it stamped), read a storage page at a time with
   * one range query; undefined once there are more than `limit` (the caller then reads rows one by one).
   */
  async usersMatchedBy(runId: string, limit: number): Promise<Map<string, string> | undefined> {
    const matched = new Map<string, string>();
    let continuation: string | undefined;
    do {
      const page = await this.page(odata`RowKey ge 'u-' and RowKey lt 'u.' and seenRun eq ${runId}`, continuation, SCAN_PAGE_SIZE);
      for (const entity of page.rows) matched.set(String(entity.rowKey).slice(2), String(entity.personId));
      if (matched.size > limit) return undefined;
      continuation = page.next;
    } while (continuation !== undefined);
    return matched;
  }

  async getGroup(graphId: string): Promise<GroupStateRow | undefined> {
    const entity = await this.read(`g-${graphId}`);
    return entity === undefined ? undefined : groupRow(entity);
  }

  /**
   * The `g-` rows of a page of Graph groups, by one range query from the smallest id to the largest (rows of other
   * groups in between are read, their ids only, and dropped); the descendants are not read.
   */
  async getGroups(graphIds: readonly string[]): Promise<Map<string, GroupStateRow>> {
    const rows = new Map<string, GroupStateRow>();
    const wanted = new Set(graphIds);
    if (wanted.size === 0) return rows;
    const sorted = [...wanted].sort();
    const range = odata`RowKey ge ${`g-${sorted[0] as string}`} and RowKey le ${`g-${sorted[sorted.length - 1] as string}`}`;
    const entities = this.table.listEntities<Entity>({ queryOptions: { filter: `PartitionKey eq '${this.partition}' and ${range}`, select: ['RowKey', 'groupId', 'seenRun'] } });
    for await (const entity of entities) {
      const row = groupRow(entity);
      if (wanted.has(row.graphId)) rows.set(row.graphId, row);
    }
    return rows;
  }

  /** Records the users a run matched: `u-` rows for a real run, the dry run's own rows otherwise. */
  async markUsersSeen(runId: string, dryRun: boolean, users: readonly { graphId: string; personId: string }[]): Promise<void> {
    await this.upsertAll(users.map((user) => ({ rowKey: dryRun ? `d-${runId}-u-${user.graphId}` : `u-${user.graphId}`, personId: user.personId, seenRun: runId })));
  }

  /** Records the selected groups a run wrote (or, dry, would write). */
  async markGroupsSeen(runId: string, dryRun: boolean, groups: readonly { graphId: string; groupId: string }[]): Promise<void> {
    if (dryRun) {
      await this.upsertAll(groups.map((group) => ({ rowKey: `d-${runId}-g-${group.graphId}`, groupId: group.groupId, seenRun: runId })));
      return;
    }
    // A merge keeps the descendants the members step stores; the page's merges go in transactions of 100.
    const unique = [...new Map(groups.map((group) => [group.graphId, group])).values()];
    const actions: TransactionAction[] = unique.map((group) => ['upsert', { partitionKey: this.partition, rowKey: `g-${group.graphId}`, groupId: group.groupId, seenRun: runId }, 'Merge']);
    await submitChunked(this.table, actions);
  }

  /**
   * Writes the journal of a membership step's changes (each group's `entry`, when there is one) and, in a members
   * step, the groups' descendants (`ids` undefined: not known): together, in the partition's transactions, before the
   * changes touch either side of a membership.
   */
  async journalChanges(groups: readonly JournaledGroup[]): Promise<void> {
    const actions: TransactionAction[] = [];
    for (const { graphId, entry, descendants } of groups) {
      if (descendants !== undefined) {
        const { ids } = descendants;
        const known = ids !== undefined && ids.length <= MAX_DESCENDANTS;
        actions.push(['upsert', { partitionKey: this.partition, rowKey: `g-${graphId}`, descendants: known ? ids.join(',') : UNKNOWN_DESCENDANTS }, 'Merge']);
      }
      if (entry !== undefined) for (const row of journalRows(entry)) actions.push(['upsert', { partitionKey: this.partition, ...row }, 'Replace']);
    }
    // Journal rows are up to 64 KiB each: a transaction's body stays under 4 MiB.
    const chunks: TransactionAction[][] = [];
    for (let index = 0; index < actions.length; index += JOURNAL_ROWS_PER_TRANSACTION) chunks.push(actions.slice(index, index + JOURNAL_ROWS_PER_TRANSACTION));
    await forEachBounded(chunks, 4, (chunk) => submitChunked(this.table, chunk));
  }

  /** The journal a step of this run wrote for the group (`m`: a members step; `e`: a memberEdges step), each entry with its row keys. */
  async journalOf(runId: string, graphId: string, step: JournalEntry['step']): Promise<{ rowKey: string; entry: JournaledChange }[]> {
    const prefix = `j-${runId}-${graphId}-${step}-`;
    return this.journalEntries(await this.all(`RowKey ge '${prefix}' and RowKey lt '${prefix}~'`));
  }

  /** A page of journal rows of runs other than this one (left by a run that failed): each with its row key. */
  async journalPageExcept(runId: string, continuation: string | undefined): Promise<RowPage<{ rowKey: string; entry: JournaledChange }>> {
    const page = await this.page(`RowKey ge 'j-' and RowKey lt 'j.'`, continuation, JOURNAL_PAGE_SIZE);
    const rows = page.rows.filter((row) => !String(row.rowKey).startsWith(`j-${runId}-`));
    return { rows: this.journalEntries(rows), next: page.next };
  }

  /** Whether any run other than this one left journal rows. */
  async hasJournalExcept(runId: string): Promise<boolean> {
    for (let page = await this.journalPageExcept(runId, undefined); ; page = await this.journalPageExcept(runId, page.next)) {
      if (page.rows.length > 0) return true;
      if (page.next === undefined) return false;
    }
  }

  private journalEntries(rows: readonly Entity[]): { rowKey: string; entry: JournaledChange }[] {
    return rows.flatMap((row) => {
      const entry = journaledChangeOf(row);
      return entry === undefined ? [] : [{ rowKey: String(row.rowKey), entry }];
    });
  }

  /** Records what a step is about to change (its counters so far), before its first write. */
  async recordStepCounts(runId: string, stepId: string, counters: Readonly<Record<string, number>>): Promise<void> {
    await this.table.upsertEntity({ partitionKey: this.partition, rowKey: `t-${runId}-${stepId}`, counters: JSON.stringify(counters) }, 'Replace');
  }

  /** What an earlier delivery of the step recorded, if it got that far. */
  async stepCountsOf(runId: string, stepId: string): Promise<Record<string, number> | undefined> {
    const row = await this.read(`t-${runId}-${stepId}`);
    if (typeof row?.counters !== 'string') return undefined;
    let counters: unknown;
    try {
      counters = JSON.parse(row.counters);
    } catch {
      return undefined;
    }
    if (typeof counters !== 'object' || counters === null) return undefined;
    return Object.fromEntries(Object.entries(counters).filter((entry): entry is [string, number] => typeof entry[1] === 'number'));
  }

  async deleteRows(rowKeys: readonly string[]): Promise<void> {
    await this.remove(rowKeys);
  }

  async deleteUsers(graphIds: readonly string[]): Promise<void> {
    await this.remove(graphIds.map((id) => `u-${id}`));
  }

  async deleteGroups(graphIds: readonly string[]): Promise<void> {
    await this.remove(graphIds.map((id) => `g-${id}`));
  }

  /** Records groups changed in a delta run: `whole` to read again from Graph, `edges` whose users came or went (merged: whole wins). */
  async addChanged(runId: string, whole: Iterable<string>, edges: Iterable<string> = []): Promise<void> {
    const rows = new Map<string, Entity>();
    for (const id of edges) rows.set(id, { edges: true });
    for (const id of whole) rows.set(id, { ...rows.get(id), whole: true });
    const actions: TransactionAction[] = [...rows].map(([id, values]) => ['upsert', { partitionKey: this.partition, rowKey: `c-${runId}-${id}`, ...values }, 'Merge']);
    await submitChunked(this.table, actions);
  }

  async changed(runId: string): Promise<ChangedGroups> {
    const prefix = `c-${runId}-`;
    const rows = await this.all(`RowKey ge '${prefix}' and RowKey lt '${prefix}~'`);
    const changed: ChangedGroups = { whole: new Set(), edges: new Set() };
    for (const row of rows) {
      const id = String(row.rowKey).slice(prefix.length);
      (row.whole === true || row.edges !== true ? changed.whole : changed.edges).add(id);
    }
    return changed;
  }

  /** Records users added to or removed from groups' direct members in a delta run (a later record of one pair replaces an earlier). */
  async addEdgeChanges(runId: string, edges: readonly EdgeChange[]): Promise<void> {
    await this.upsertAll(edges.map((edge) => ({ rowKey: `e-${runId}-${edge.groupId}-${edge.userId}`, groupId: edge.groupId, userId: edge.userId, op: edge.op })));
  }

  /** Every user change of the run's delta round, by Graph group: user → its last change. */
  async edgeChanges(runId: string): Promise<Map<string, Map<string, EdgeChange['op']>>> {
    const prefix = `e-${runId}-`;
    const byGroup = new Map<string, Map<string, EdgeChange['op']>>();
    for (const row of await this.all(`RowKey ge '${prefix}' and RowKey lt '${prefix}~'`)) {
      const groupId = String(row.groupId);
      const users = byGroup.get(groupId) ?? new Map<string, EdgeChange['op']>();
      users.set(String(row.userId), row.op === 'add' ? 'add' : 'remove');
      byGroup.set(groupId, users);
    }
    return byGroup;
  }

  /** A page of the selected groups' rows (`g-`), in id order. */
  async groupsPage(continuation: string | undefined): Promise<RowPage<GroupStateRow>> {
    const page = await this.page(`RowKey ge 'g-' and RowKey lt 'g.'`, continuation);
    return { rows: page.rows.map(groupRow), next: page.next };
  }

  /** A page of the groups this run saw selected: `g-` rows it stamped, or the dry run's own rows. */
  async seenGroupsPage(runId: string, dryRun: boolean, continuation: string | undefined): Promise<RowPage<{ graphId: string; groupId: string }>> {
    const prefix = dryRun ? `d-${runId}-g-` : 'g-';
    const range = `RowKey ge '${prefix}' and RowKey lt '${prefix.slice(0, -1)}.'`;
    const page = await this.page(dryRun ? range : `${range} and seenRun eq '${runId}'`, continuation);
    return { rows: page.rows.map((row) => ({ graphId: String(row.rowKey).slice(prefix.length), groupId: String(row.groupId) })), next: page.next };
  }

  /**
   * A page of the users (`u`) or groups (`g`) the integration holds that this run did not see: by their `seenRun` in a
   * real run; in a dry run, the page's rows without a row of the dry run's own.
   */
  async unseenPage(kind: 'u' | 'g', runId: string, dryRun: boolean, continuation: string | undefined): Promise<RowPage<{ graphId: string; id: string }>> {
    const range = `RowKey ge '${kind}-' and RowKey lt '${kind}.'`;
    const page = await this.page(dryRun ? range : `${range} and seenRun ne '${runId}'`, continuation);
    const rows = page.rows.map((entity) => ({ graphId: String(entity.rowKey).slice(2), id: String(kind === 'u' ? entity.personId : entity.groupId) }));
    if (!dryRun || rows.length === 0) return { rows, next: page.next };
    const prefix = `d-${runId}-${kind}-`;
    const first = (rows[0] as { graphId: string }).graphId;
    const last = (rows[rows.length - 1] as { graphId: string }).graphId;
    const seen = new Set((await this.all(`RowKey ge '${prefix}${first}' and RowKey le '${prefix}${last}'`)).map((row) => String(row.rowKey).slice(prefix.length)));
    return { rows: rows.filter((row) => !seen.has(row.graphId)), next: page.next };
  }

  /** Deletes one page of the run's scratch rows (changed groups, what a dry run saw, its journal: every change it made is settled by now); true when none are left. The plan stays (one small row per run). */
  async deleteRunRows(runId: string): Promise<boolean> {
    const keys: string[] = [];
    for (const prefix of [`c-${runId}-`, `d-${runId}-`, `e-${runId}-`, `j-${runId}-`, `t-${runId}-`]) {
      const page = await this.page(`RowKey ge '${prefix}' and RowKey lt '${prefix}~'`, undefined);
      keys.push(...page.rows.map((row) => String(row.rowKey)));
    }
    await this.remove(keys);
    return keys.length === 0;
  }
}
