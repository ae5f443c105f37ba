// Masks what must never reach a log: credentials (bearer and basic tokens, JWTs, connection-string keys, SAS
// signatures, function keys, client secrets) and the one kind of PII that free text tends to carry, e-mail addresses
// (Entra sends UPNs as userName and emails). Apply it to any free text before logging (maskedExcerpt when the text
// is also cut short); structured fields that are ids are allow-listed in request-log.ts instead.
//
// Linear time on any input: every pattern that repeats over a character class starts only where a run of that class
// starts (a lookbehind for a character outside it), so no run is rescanned from each of its positions, and what follows
// a repetition either cannot fail or is a single character the class excludes. A megabyte of adversarial text costs
// milliseconds, not the minutes that `[\w.]+@…` tried at every position of a long run would (test/shared/observability).

const MASK = '***';

/** Names whose value is a credential, in `name=value` (query strings, connection strings) and JSON `"name": "…"`. */
const SECRET_NAMES =
  'access_token|refresh_token|id_token|client_secret|clientsecret|secret|password|pwd|token|sig|signature|' +
  'accountkey|sharedaccesskey|sharedaccesssignature|apikey|api_key|x-functions-key|code';

/** Each rule with a name, so that tests can drive every one of them with adversarial input. */
export const MASKING_RULES: readonly { name: string; pattern: RegExp; replacement: string }[] = [
  // JWTs anywhere (a header starts with {"  -> eyJ), also cut short after the header or the payload.
  { name: 'jwt', pattern: /(?<![\w-])eyJ[\w-]*(?:\.[\w-]*){0,2}/g, replacement: MASK },
  // Authorization header values, with or without a scheme.
  {
    name: 'authorization',
    pattern: /(authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|sharedkey)\s+)?[^\s"',;]+/gi,
    replacement: `$1${MASK}`,
  },
  { name: 'bearer', pattern: /\b(bearer)\s+[\w\-.~+/]+=*/gi, replacement: `$1 ${MASK}` },
  { name: 'basic', pattern: /\b(basic)\s+(?=[A-Za-z0-9+/=]*[\d+/=])[A-Za-z0-9+/]{8,}={0,2}/gi, replacement: `$1 ${MASK}` },
  // JSON members whose name ends in a credential word: "secretToken": "…", "clientSecret": "…"; the string may be
  // cut short by truncation (no closing quote before the end of the text).
  {
    name: 'json-member',
    pattern: /("[\w-]*(?:token|secret|password|authorization|apikey|credential)"\s*:\s*)"(?:[^"\\]|\\[\s\S]?)*(?:"|$)/gi,
    replacement: `$1"${MASK}"`,
  },
  // name=value pairs: ?code=…, ;AccountKey=…, &sig=…, client_secret=…
  { name: 'name-value', pattern: new RegExp(`\\b(${SECRET_NAMES})(\\s*=\\s*)[^&;\\s"',]+`, 'gi'), replacement: `$1$2${MASK}` },
  // E-mail addresses and UPNs: keep the domain, which helps to tell tenants apart, drop the person.
  { name: 'e-mail', pattern: /(?<![\w.%+-])[\w.%+-]+@([\w-]+(?:\.[\w-]+)+)/g, replacement: `${MASK}@$1` },
];

/** A backstop for bare keys: long runs of base64-ish characters that mix upper case, lower case and digits. */
const OPAQUE_RUN = /(?<![A-Za-z0-9+_=-])[A-Za-z0-9+_=-]{32,}/g;
const looksRandom = (run: string): boolean => /[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run);

/** Returns `text` with credentials and e-mail addresses replaced by `***`. */
export function maskSecrets(text: string): string {
  let masked = text;
  for (const { pattern, replacement } of MASKING_RULES) masked = masked.replace(pattern, replacement);
  return masked.replace(OPAQUE_RUN, (run) => (looksRandom(run) ? MASK : run));
}

/** Characters of the things masked above (tokens, keys, e-mail addresses); a cut inside a run of them drops the run. */
const TOKEN_CHARACTER = /[\w.%+@~/=-]/;
const TRUNCATED = '…';

/**
 * `text` cut to at most `maxLength` characters, then masked: masking costs what the excerpt costs, not what the
 * whole text would. A credential or e-mail address that the cut would split is dropped whole (a UPN cut before its
 * `@` would no longer look like one), and a truncated text ends in `…`.
 */
export function maskedExcerpt(text: string, maxLength: number): string {
  if (text.length <= maxLength) return maskSecrets(text);
  let end = Math.max(0, maxLength - TRUNCATED.length);
  if (TOKEN_CHARACTER.test(text.charAt(end))) {
    while (end > 0 && TOKEN_CHARACTER.test(text.charAt(end - 1))) end--;
  }
  const masked = `${maskSecrets(text.slice(0, end))}${TRUNCATED}`;
  // A mask can be longer than what it hides (`a@x.org` → `***@x.org`); cutting masked text reveals nothing.
  return masked.length <= maxLength ? masked : `${masked.slice(0, maxLength - TRUNCATED.length)}${TRUNCATED}`;
}
