// The files Core Tools would read at startup: `local.settings.json` (its `Values` become app
// settings, environment variables win over them) and `host.json` (the HTTP route prefix).
import { constants } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

export const LOCAL_SETTINGS_FILE = 'local.settings.json';
export const LOCAL_SETTINGS_SAMPLE_FILE = 'local.settings.sample.json';
export const HOST_JSON_FILE = 'host.json';
export const DEFAULT_ROUTE_PREFIX = 'api';

const localSettingsSchema = z.object({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const hostJsonSchema = z.object({
  extensions: z
    .object({ http: z.object({ routePrefix: z.string().optional() }).optional() })
    .optional(),
});

export interface LoadLocalSettingsOptions {
  /** Directory holding local.settings.json (the project root). */
  readonly root: string;
  /** Overrides file values; default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LocalSettings {
  /** File `Values`, each replaced by the environment variable of the same name when that is set. */
  readonly values: Record<string, string>;
  readonly path: string;
  /** True when this call created local.settings.json from local.settings.sample.json. */
  readonly createdFromSample: boolean;
}

function isMissingFile(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text.replace(/^\uFEFF/, '')) as unknown;
  } catch (error: unknown) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, path: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new Error(`${path} has an unexpected shape: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

/** Creates local.settings.json from the sample when it is missing. Returns whether it did. */
async function ensureLocalSettingsFile(root: string): Promise<boolean> {
  try {
    await copyFile(join(root, LOCAL_SETTINGS_SAMPLE_FILE), join(root, LOCAL_SETTINGS_FILE), constants.COPYFILE_EXCL);
    return true;
  } catch (error: unknown) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Reads `Values` from `<root>/local.settings.json`, creating that file from
 * `local.settings.sample.json` on first run. A missing file (and sample) means no values.
 */
export async function loadLocalSettings(options: LoadLocalSettingsOptions): Promise<LocalSettings> {
  const env = options.env ?? process.env;
  const path = join(options.root, LOCAL_SETTINGS_FILE);
  const createdFromSample = await ensureLocalSettingsFile(options.root);
  let fileValues: Record<string, string | number | boolean> = {};
  try {
    const settings = parseWith(localSettingsSchema, await readJsonFile(path), path);
    if (settings.IsEncrypted === true) {
      throw new Error(`${path} is encrypted; the local host reads plain values only (set "IsEncrypted": false).`);
    }
    fileValues = settings.Values ?? {};
  } catch (error: unknown) {
    if (!isMissingFile(error)) throw error;
  }
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(fileValues)) {
    values[name] = env[name] ?? String(value);
  }
  return { values, path, createdFromSample };
}

/**
 * Sets `Values[name]` in `<root>/local.settings.json`, keeping everything else in the file (creating the file when
 * it is missing). The file holds local secrets, so it is written readable by its owner only.
 */
export async function saveLocalSetting(root: string, name: string, value: string): Promise<void> {
  const path = join(root, LOCAL_SETTINGS_FILE);
  let document: Record<string, unknown> = { IsEncrypted: false, Values: {} };
  try {
    const existing = await readJsonFile(path);
    parseWith(localSettingsSchema, existing, path);
    document = existing as Record<string, unknown>;
  } catch (error: unknown) {
    if (!isMissingFile(error)) throw error;
  }
  const values = (document.Values ?? {}) as Record<string, unknown>;
  await writeFile(path, `${JSON.stringify({ ...document, Values: { ...values, [name]: value } }, null, 2)}\n`, { mode: 0o600 });
}

export interface HostJsonSettings {
  /** `extensions.http.routePrefix` without surrounding slashes; "api" when absent, "" allowed. */
  readonly routePrefix: string;
}

export async function readHostJson(root: string): Promise<HostJsonSettings> {
  const path = join(root, HOST_JSON_FILE);
  let routePrefix: string | undefined;
  try {
    routePrefix = parseWith(hostJsonSchema, await readJsonFile(path), path).extensions?.http?.routePrefix;
  } catch (error: unknown) {
    if (!isMissingFile(error)) throw error;
  }
  return { routePrefix: (routePrefix ?? DEFAULT_ROUTE_PREFIX).replace(/^\/+|\/+$/g, '') };
}
