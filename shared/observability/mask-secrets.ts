// Masks what must never reach a log: credentials (bearer and basic tokens, JWTs, connection-string keys, SAS
// signatures, function keys, client secrets) and the one kind of PII that free text tends to carry, e-mail addresses
// (Entra sends UPNs as userName and emails). Apply it to any free text before logging; structured fields that are
// ids are allow-listed in request-log.ts instead.

const MASK = '***';

/** Names whose value is a credential, in `name=value` (query strings, connection strings) and JSON `"name": "…"`. */
const SECRET_NAMES =
  'access_token|refresh_token|id_token|client_secret|clientsecret|secret|password|pwd|token|sig|signature|' +
  'accountkey|sharedaccesskey|sharedaccesssignature|apikey|api_key|x-functions-key|code';

const RULES: readonly [RegExp, string][] = [
  // JWTs anywhere (a header starts with {"  -> eyJ).
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, MASK],
  // Authorization header values, with or without a scheme.
  [/(authorization["']?\s*[:=]\s*["']?)(?:(?:bearer|basic|sharedkey)\s+)?[^\s"',;]+/gi, `$1${MASK}`],
  [/\b(bearer)\s+[\w\-.~+/]+=*/gi, `$1 ${MASK}`],
  [/\b(basic)\s+(?=[A-Za-z0-9+/=]*[\d+/=])[A-Za-z0-9+/]{8,}={0,2}/gi, `$1 ${MASK}`],
  // JSON members whose name ends in a credential word: "secretToken": "…", "clientSecret": "…".
  [/("[\w-]*(?:token|secret|password|authorization|apikey|credential)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi, `$1"${MASK}"`],
  // name=value pairs: ?code=…, ;AccountKey=…, &sig=…, client_secret=…
  [new RegExp(`\\b(${SECRET_NAMES})(\\s*=\\s*)[^&;\\s"',]+`, 'gi'), `$1$2${MASK}`],
  // E-mail addresses and UPNs: keep the domain, which helps to tell tenants apart, drop the person.
  [/[\w.%+-]+@([\w-]+(?:\.[\w-]+)+)/g, `${MASK}@$1`],
];

/** A backstop for bare keys: long runs of base64-ish characters that mix upper case, lower case and digits. */
const OPAQUE_RUN = /[A-Za-z0-9+_=-]{32,}/g;
const looksRandom = (run: string): boolean => /[A-Z]/.test(run) && /[a-z]/.test(run) && /\d/.test(run);

/** Returns `text` with credentials and e-mail addresses replaced by `***`. */
export function maskSecrets(text: string): string {
  let masked = text;
  for (const [pattern, replacement] of RULES) masked = masked.replace(pattern, replacement);
  return masked.replace(OPAQUE_RUN, (run) => (looksRandom(run) ? MASK : run));
}
