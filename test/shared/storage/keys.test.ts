// Key material for PartitionKey/RowKey: encoding, case folding, buckets and prefix ranges (pure).
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKET_COUNT, bucketOf, caseFoldKey, encodeKey, prefixUpperBound } from '../../../shared/storage/keys.js';

// Characters Table Storage refuses in keys: / \ # ? and the control characters U+0000–U+001F, U+007F–U+009F.
// eslint-disable-next-line no-control-regex -- control characters are what the assertion is about
const FORBIDDEN_IN_KEYS = /[/\\#?\u0000-\u001f\u007f-\u009f]/u;

/** Short and long strings, ASCII-heavy and full unicode (lone surrogates included), with the unsafe characters. */
const anyValue = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('a', 'B', '%', '/', '\\', '#', '?', "'", '\u0000', '\u007f', '\u0085', '~', 'é'), maxLength: 120 }),
  fc.string({ unit: 'grapheme', minLength: 200, maxLength: 400 }),
  fc.string({ unit: 'binary', minLength: 257, maxLength: 600 }),
);

function decodeVerbatim(key: string): string {
  return key.replace(/%u([0-9a-f]{4})|%([0-9A-F]{2})/g, (_, wide?: string, byte?: string) => String.fromCharCode(parseInt(wide ?? byte ?? '', 16)));
}

describe('encodeKey', () => {
  it('never yields a character that keys cannot hold', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(encodeKey(value)).not.toMatch(FORBIDDEN_IN_KEYS);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps keys far below the 1 KiB limit', () => {
    fc.assert(
      fc.property(anyValue, (value) => {
        expect(encodeKey(value).length).toBeLessThanOrEqual(256);
      }),
    );
    expect(encodeKey('/'.repeat(10_000)).length).toBeLessThanOrEqual(256);
  });

  it('is injective on a sample of short, long and unicode strings', () => {
    fc.assert(
      fc.property(fc.uniqueArray(anyValue, { minLength: 2, maxLength: 60 }), (values) => {
        expect(new Set(values.map(encodeKey)).size).toBe(values.length);
      }),
      { numRuns: 200 },
    );
  });

  it('is reversible for values kept verbatim', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        expect(decodeVerbatim(encodeKey(value))).toBe(value);
      }),
    );
  });

  it('encodes the unsafe characters and % itself', () => {
    expect(encodeKey('a/b\\c#d?e%f')).toBe('a%2Fb%5Cc%23d%3Fe%25f');
    expect(encodeKey("o'brien")).toBe('o%27brien');
    expect(encodeKey('tab\there\u0085')).toBe('tab%09here%85');
    expect(encodeKey('Zoë@例え.jp')).toBe('Zoë@例え.jp');
  });

  it('hashes long values and tells apart long values that share their first 256 characters', () => {
    const base = 'x'.repeat(300);
    const a = encodeKey(`${base}a`);
    const b = encodeKey(`${base}b`);
    expect(a).not.toBe(b);
    expect(a.startsWith('x'.repeat(64))).toBe(true);
    expect(encodeKey('y'.repeat(256))).toBe('y'.repeat(256));
    expect(encodeKey('y'.repeat(257))).not.toBe('y'.repeat(257));
  });

  it('hashes by the encoded length, not the raw one', () => {
    expect(encodeKey('/'.repeat(85))).toBe('%2F'.repeat(85));
    expect(encodeKey('/'.repeat(86))).not.toBe('%2F'.repeat(86));
  });

  it('does not let a short value spell the hashed key of a long value', () => {
    for (const long of ['a'.repeat(300), `${'b'.repeat(100)}${'é'.repeat(200)}`, 'A'.repeat(257)]) {
      const hashed = encodeKey(long);
      // A value equal to the hashed key of another (a crafted userName) must get a key of its own.
      expect(encodeKey(hashed)).not.toBe(hashed);
      expect(caseFoldKey(caseFoldKey(long))).not.toBe(caseFoldKey(long));
    }
    const spelled = `${'c'.repeat(64)}~${createHash('sha256').update('anything').digest('hex')}`;
    expect(encodeKey(spelled)).not.toMatch(FORBIDDEN_IN_KEYS);
    expect(new Set([encodeKey(spelled), encodeKey(`${spelled}~`), encodeKey('c'.repeat(300))]).size).toBe(3);
  });
});

describe('caseFoldKey', () => {
  it('folds ASCII case', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (value) => {
        expect(caseFoldKey(value.toUpperCase())).toBe(caseFoldKey(value.toLowerCase()));
        expect(caseFoldKey(value)).toBe(encodeKey(value.toLowerCase()));
      }),
    );
  });

  it('folds unicode case and normalises to NFC', () => {
    expect(caseFoldKey('ÄNNE@Contoso.COM')).toBe(caseFoldKey('änne@contoso.com'));
    expect(caseFoldKey('Rene\u0301')).toBe(caseFoldKey('RENÉ'));
    expect(caseFoldKey('A/B')).toBe('a%2Fb');
  });

  it('keeps different names apart', () => {
    expect(caseFoldKey('alice@contoso.com')).not.toBe(caseFoldKey('alice@contoso.co'));
  });
});

describe('bucketOf', () => {
  it('is two hex digits in [0, BUCKET_COUNT) and stable', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const bucket = bucketOf(value);
        expect(bucket).toMatch(/^[0-9a-f]{2}$/);
        expect(parseInt(bucket, 16)).toBeLessThan(BUCKET_COUNT);
        expect(bucketOf(value)).toBe(bucket);
      }),
    );
  });

  it('spreads values over many buckets', () => {
    const buckets = new Set(Array.from({ length: 2_000 }, (_, i) => bucketOf(`user${i}@contoso.com`)));
    expect(buckets.size).toBe(BUCKET_COUNT);
  });
});

describe('prefixUpperBound', () => {
  // Keys handed to prefixUpperBound never end in U+FFFF (they end in `|`), which has no successor code unit.
  const prefix = fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 12 });
  const anyString = fc.string({ unit: 'binary-ascii', maxLength: 16 });

  it('bounds exactly the strings that start with the prefix', () => {
    fc.assert(
      fc.property(prefix, anyString, (p, x) => {
        const upper = prefixUpperBound(p);
        expect(p < upper).toBe(true);
        expect(p + x < upper).toBe(true);
        expect(x >= p && x < upper).toBe(x.startsWith(p));
      }),
      { numRuns: 1_000 },
    );
  });

  it('bounds the row prefixes the repositories query', () => {
    const from = `x:${encodeKey('ext-1')}|`;
    const to = prefixUpperBound(from);
    expect(to).toBe(`x:${encodeKey('ext-1')}}`);
    expect(`${from}group-id` < to).toBe(true);
    expect(`x:${encodeKey('ext-10')}|group-id` >= to || `x:${encodeKey('ext-10')}|group-id` < from).toBe(true);
  });
});
