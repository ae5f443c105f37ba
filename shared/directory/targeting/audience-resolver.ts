// Audience resolution: which people match a condition over enabled groups and enabled targeting attributes, a page of
// them and their exact count, read from index rows only (no person is read to decide, no table is scanned).
//
// People are taken one person-id shard at a time (storage/person-id-shards.ts): a group condition reads the shard's
// RowKey range of the group's member rows, an attribute condition the shard's partition of the value index; the
// shard's sets are combined (and: intersection, or: union), counted and dropped, so memory stays bounded by a few
// shards' ids whatever the audience's size. Pages run in person-id order: the continuation is the last id answered.
import { ALL_PERSON_SHARDS, personIdRange } from '../../storage/person-id-shards.js';
import { forEachBounded } from '../../storage/transactions.js';
import { InvalidValueError } from '../errors.js';
import type { GroupStore } from '../model/stores.js';
import type { GroupMemberIndex, TargetingAttributeStore, ValueIndexStore, ValueMatch } from '../model/targeting-attribute.js';
import { normaliseValue } from './attribute-values.js';

/** Shards resolved at the same time: the memory bound is this many shards' sets. */
const SHARDS_IN_FLIGHT = 4;
/** Groups and attributes checked at the same time (an audience names up to 100 groups). */
const CHECKS_IN_FLIGHT = 8;

export type AudienceCondition =
  | { kind: 'group'; integrationId: string; groupId: string }
  | { kind: 'attribute'; attributeId: string; match: ValueMatch }
  | { kind: 'and' | 'or'; conditions: AudienceCondition[] };

export interface AudiencePageRequest {
  pageSize: number;
  /** The last person id of the previous page. */
  after?: string;
}

export interface AudiencePage {
  total: number;
  personIds: string[];
  /** Present when more people follow the page. */
  lastId?: string;
}

function leaves(condition: AudienceCondition): AudienceCondition[] {
  return condition.kind === 'and' || condition.kind === 'or' ? condition.conditions.flatMap(leaves) : [condition];
}

/** The match as the index holds values (normalised: attribute-values.ts). */
export function normalisedMatch(match: ValueMatch): ValueMatch {
  switch (match.kind) {
    case 'equals':
      return { kind: 'equals', value: normaliseValue(match.value) };
    case 'oneOf':
      return { kind: 'oneOf', values: match.values.map(normaliseValue) };
    case 'startsWith':
      return { kind: 'startsWith', prefix: normaliseValue(match.prefix) };
    case 'present':
      return match;
  }
}

const intersect = (sets: Set<string>[]): Set<string> => {
  const [smallest, ...others] = [...sets].sort((a, b) => a.size - b.size);
  if (smallest === undefined) return new Set();
  return new Set([...smallest].filter((id) => others.every((set) => set.has(id))));
};

export class AudienceResolver {
  constructor(
    private readonly members: Pick<GroupMemberIndex, 'userIdsInRange'>,
    private readonly values: Pick<ValueIndexStore, 'peopleInShard'>,
    private readonly groups: Pick<GroupStore, 'get'>,
    private readonly attributes: Pick<TargetingAttributeStore, 'get'>,
  ) {}

  /** InvalidValueError naming the first group or attribute (in the condition's order) that does not exist or is not enabled for targeting. */
  async assertTargetable(condition: AudienceCondition): Promise<void> {
    // The leaves are read at the same time (a few in flight); the first refusal in the condition's order is answered.
    const refusals: (InvalidValueError | undefined)[] = [];
    const checks = leaves(condition).map((leaf, index) => ({ leaf, index }));
    await forEachBounded(checks, CHECKS_IN_FLIGHT, async ({ leaf, index }) => {
      refusals[index] = await this.refusal(leaf);
    });
    const refused = refusals.find((refusal) => refusal !== undefined);
    if (refused !== undefined) throw refused;
  }

  private async refusal(leaf: AudienceCondition): Promise<InvalidValueError | undefined> {
    if (leaf.kind === 'group') {
      const group = await this.groups.get(leaf.integrationId, leaf.groupId);
      if (group === undefined) return new InvalidValueError('groups', `Group ${leaf.groupId} of integration ${leaf.integrationId} not found`);
      if (!group.enabled) return new InvalidValueError('groups', `Group "${group.displayName}" is not enabled for targeting`);
    } else if (leaf.kind === 'attribute') {
      const attribute = await this.attributes.get(leaf.attributeId);
      if (attribute === undefined) return new InvalidValueError('attributes', `Targeting attribute ${leaf.attributeId} not found`);
      if (!attribute.enabled) return new InvalidValueError('attributes', `Targeting attribute "${attribute.name}" is not enabled`);
    }
    return undefined;
  }

  /**
   * The page and the total. The checks of assertTargetable run while the index is read: a refused audience answers
   * its refusal as soon as the checks know it, and the reads still in flight stop at their shard.
   */
  async resolve(condition: AudienceCondition, request: AudiencePageRequest): Promise<AudiencePage> {
    const refused = { now: false };
    const checked = this.assertTargetable(condition).catch((error: unknown) => {
      refused.now = true;
      throw error;
    });
    const counted = this.count(condition, request, refused);
    // Whichever fails first is answered; the other one's failure is then of no interest.
    counted.catch(() => undefined);
    await checked;
    return counted;
  }

  private async count(condition: AudienceCondition, request: AudiencePageRequest, refused: { now: boolean }): Promise<AudiencePage> {
    let total = 0;
    const pageParts = new Map<number, string[]>();
    await forEachBounded(ALL_PERSON_SHARDS, SHARDS_IN_FLIGHT, async (shard) => {
      if (refused.now) return;
      const range = personIdRange(shard);
      const matching = await this.evaluate(condition, shard, range);
      total += matching.size;
      if (request.after !== undefined && range.to <= request.after) return;
      // Only the first pageSize + 1 ids after the position can be on the page (one more says whether any follow).
      const after = request.after;
      const candidates = [...matching].filter((id) => after === undefined || id > after).sort();
      pageParts.set(shard, candidates.slice(0, request.pageSize + 1));
    });
    const ordered = ALL_PERSON_SHARDS.flatMap((shard) => pageParts.get(shard) ?? []);
    const personIds = ordered.slice(0, request.pageSize);
    const more = ordered.length > request.pageSize;
    return { total, personIds, ...(more ? { lastId: personIds[personIds.length - 1] as string } : {}) };
  }

  private async evaluate(condition: AudienceCondition, shard: number, range: { from: string; to: string }): Promise<Set<string>> {
    switch (condition.kind) {
      case 'group':
        return new Set(await this.members.userIdsInRange(condition.integrationId, condition.groupId, range));
      case 'attribute':
        return new Set(await this.values.peopleInShard(condition.attributeId, shard, normalisedMatch(condition.match)));
      case 'and':
        return intersect(await Promise.all(condition.conditions.map((inner) => this.evaluate(inner, shard, range))));
      case 'or': {
        const union = new Set<string>();
        for (const set of await Promise.all(condition.conditions.map((inner) => this.evaluate(inner, shard, range)))) for (const id of set) union.add(id);
        return union;
      }
    }
  }
}
