// Turning user-supplied values into PartitionKey/RowKey material. Keys cannot hold `/ \ # ?` or control characters
// and are limited to 1 KiB, so values are percent-encoded (and `%` itself, so the encoding is reversible) and long
// values are replaced by a hash. Buckets spread one integration's rows over many partitions.
import { createHash } from 'node:crypto';

// Lone surrogates (in `u` mode the class matches only unpaired ones) are escaped too: they are not valid UTF-16, so the
// storage SDK's encodeURIComponent of a key or query throws URIError on them.
// eslint-disable-next-line no-control-regex -- control characters are exactly what keys must not contain
const UNSAFE_KEY_CHARS = /[%/\\#?\u0000-\u001f\u007f-\u009f'\uD800-\uDFFF]/gu;
/** Longest encoded value kept verbatim; longer ones are hashed so keys stay far below the 1 KiB limit. */
const MAX_VERBATIM_KEY_LENGTH = 256;

export function encodeKey(value: string): string {
  const encoded = value.replace(UNSAFE_KEY_CHARS, (ch) => {
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `%${code.toString(16).padStart(2, '0').toUpperCase()}` : `%u${code.toString(16)}`;
  });
  if (encoded.length <= MAX_VERBATIM_KEY_LENGTH) return looksHashed(encoded) ? `${encoded.slice(0, 64)}%7E${encoded.slice(65)}` : encoded;
  return `${encoded.slice(0, 64)}~${createHash('sha256').update(value).digest('hex')}`;
}

/** Whether a verbatim key has the shape of a hashed one; its `~` is then escaped so the two can never coincide. */
function looksHashed(encoded: string): boolean {
  return encoded.length === 129 && encoded[64] === '~' && /^[0-9a-f]{64}$/.test(encoded.slice(65));
}

/** Case-insensitive comparisons (userName, displayName, emails) go through one normalisation. */
export function caseFoldKey(value: string): string {
  return encodeKey(value.normalize('NFC').toLowerCase());
}

export const BUCKET_COUNT = 64;

/** A stable bucket in [0, BUCKET_COUNT) for a key, as two hex digits. */
export function bucketOf(value: string): string {
  const digest = createHash('sha1').update(value).digest();
  return ((digest[0] ?? 0) % BUCKET_COUNT).toString(16).padStart(2, '0');
}

/** Row keys one query may name: Azure allows 15 comparisons in a filter, and the partition key takes one. */
export const ROW_KEYS_PER_QUERY = 14;

/** The keys in groups of ROW_KEYS_PER_QUERY, one query's worth each. */
export function rowKeyQueryChunks<T>(keys: readonly T[]): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < keys.length; index += ROW_KEYS_PER_QUERY) chunks.push(keys.slice(index, index + ROW_KEYS_PER_QUERY));
  return chunks;
}

/** The smallest string greater than every string that starts with `prefix`, for RowKey range queries. */
export function prefixUpperBound(prefix: string): string {
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}
