// Person ids begin with two hex digits in [00, BUCKET_COUNT) (people-repository.ts newPersonId), so a range of person
// ids is a range of keys. Targeting reads its index rows one shard (a person-id range) at a time: the value index is
// partitioned by it, and a group's member rows (RowKey = person id) are read by it as a RowKey range, so every
// condition of an audience covers the same people in each shard and is combined there, in bounded memory.
import { BUCKET_COUNT } from './keys.js';

export const PERSON_SHARD_COUNT = 16;
const BUCKETS_PER_SHARD = BUCKET_COUNT / PERSON_SHARD_COUNT;
/** Above every person id (ids are ASCII). */
const PAST_EVERY_ID = '\u{ffff}';

export interface PersonIdRange {
  /** Inclusive. */
  from: string;
  /** Exclusive. */
  to: string;
}

const bound = (shard: number): string =>
  shard <= 0 ? '' : shard >= PERSON_SHARD_COUNT ? PAST_EVERY_ID : (shard * BUCKETS_PER_SHARD).toString(16).padStart(2, '0');

/** The ids of one shard; the shards in order cover every string, each id in exactly one. */
export function personIdRange(shard: number): PersonIdRange {
  return { from: bound(shard), to: bound(shard + 1) };
}

export function shardOfPersonId(id: string): number {
  for (let shard = PERSON_SHARD_COUNT - 1; shard > 0; shard--) if (id >= bound(shard)) return shard;
  return 0;
}

export const ALL_PERSON_SHARDS: readonly number[] = Array.from({ length: PERSON_SHARD_COUNT }, (_, shard) => shard);
