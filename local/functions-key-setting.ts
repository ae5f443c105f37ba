// The local host's function key (LOCAL_FUNCTIONS_KEY): random per checkout, generated on the first start and kept in
// local.settings.json (which git ignores), so later starts reuse it and no two checkouts share a key. An environment
// variable of the same name wins and is never written. The key the sample used to ship is public and is replaced.
import { randomBytes } from 'node:crypto';
import { saveLocalSetting } from './settings-file.js';

export const FUNCTIONS_KEY_SETTING = 'LOCAL_FUNCTIONS_KEY';
/** Keys that were once published as defaults: a checkout still holding one gets a random key instead. */
export const PUBLISHED_FUNCTIONS_KEYS: readonly string[] = ['local-dev-functions-key'];

export interface LocalFunctionsKey {
  readonly key: string;
  /** True when this start generated the key (and saved it in local.settings.json). */
  readonly generated: boolean;
}

export interface LocalFunctionsKeyOptions {
  /** Directory holding local.settings.json. */
  readonly root: string;
  /** The settings file's values (already overridden by the environment). */
  readonly values: Readonly<Record<string, string>>;
  /** Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

export async function ensureLocalFunctionsKey(options: LocalFunctionsKeyOptions): Promise<LocalFunctionsKey> {
  const env = options.env ?? process.env;
  const fromEnv = env[FUNCTIONS_KEY_SETTING]?.trim();
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, generated: false };
  const saved = options.values[FUNCTIONS_KEY_SETTING]?.trim();
  if (saved !== undefined && saved !== '' && !PUBLISHED_FUNCTIONS_KEYS.includes(saved)) return { key: saved, generated: false };
  const key = randomBytes(32).toString('base64url');
  await saveLocalSetting(options.root, FUNCTIONS_KEY_SETTING, key);
  return { key, generated: true };
}
