// The continuation token of GET /api/admin/users, checked before it reaches storage. The token is what the Table
// Storage SDK hands out: base64 of `{"nextPartitionKey":"…","nextRowKey":"…"}`. The SDK decodes it with a bare
// JSON.parse and sends the keys as query parameters, so a garbled token would otherwise surface as a 500 (or as a
// storage 400): the caller gets a 400 naming the parameter instead.

/** Longest token accepted: two Table Storage keys (1 KiB each) in JSON, base64-encoded, with room to spare. */
export const MAX_CONTINUATION_TOKEN_LENGTH = 4096;
/** Table Storage keys are at most 1 KiB. */
const MAX_KEY_LENGTH = 1024;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
// Characters Table Storage keys may not contain: / \ # ? and control characters.
// eslint-disable-next-line no-control-regex
const FORBIDDEN_KEY_CHARACTERS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

const isKey = (value: unknown, required: boolean): boolean =>
  value === undefined ? !required : typeof value === 'string' && value !== '' && value.length <= MAX_KEY_LENGTH && !FORBIDDEN_KEY_CHARACTERS.test(value);

/** Whether `token` has the shape of a token this API hands out (not whether it still points anywhere). */
export function isWellFormedContinuationToken(token: string): boolean {
  if (token.length > MAX_CONTINUATION_TOKEN_LENGTH || token.length % 4 !== 0 || !BASE64.test(token)) return false;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64').toString('latin1'));
  } catch {
    return false;
  }
  if (typeof decoded !== 'object' || decoded === null || Array.isArray(decoded)) return false;
  const { nextPartitionKey, nextRowKey, ...rest } = decoded as Record<string, unknown>;
  return Object.keys(rest).length === 0 && isKey(nextPartitionKey, true) && isKey(nextRowKey, false);
}
