// What the command-line tools that work on the local host's storage share (`npm run check-storage`, `npm run sync`):
// their settings (local.settings.json Values, environment variables winning), the embedded Azurite's data in
// .local/azurite when the settings name development storage (refused while `npm start` owns it), usage errors, and
// the `--table-prefix` option.
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type RunningAzurite, startAzurite, waitForPort } from './azurite.js';
import { loadLocalSettings } from './settings-file.js';

export const DEFAULT_PORT = '7071';
const TABLE_PREFIX = /^([A-Za-z][A-Za-z0-9]*)?$/;

/** A command line the tool cannot run: printed with its usage, exit code 2. */
export class UsageError extends Error {}

/** The options of a command line (strict, no positionals); UsageError naming what is wrong. */
export function parseOptions(args: string[], options: NonNullable<ParseArgsConfig['options']>): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The `--table-prefix` value (default none); UsageError unless letters and digits starting with a letter. */
export function tablePrefixOf(value: string | boolean | undefined): string {
  const prefix = typeof value === 'string' ? value : '';
  if (!TABLE_PREFIX.test(prefix)) throw new UsageError('--table-prefix takes letters and digits, starting with a letter');
  return prefix;
}

export function usesDevelopmentStorage(connection: string | undefined): boolean {
  return connection === undefined || connection.trim() === '' || /^\s*UseDevelopmentStorage\s*=\s*true\s*;?\s*$/i.test(connection);
}

/** Whether `npm start` seems to run: its embedded Azurite owns .local/azurite, which a second Azurite must not open. */
export async function localHostRuns(port: string): Promise<boolean> {
  return waitForPort('127.0.0.1', Number(port), 0).then(
    () => true,
    () => false,
  );
}

export interface LocalStorageOptions {
  /** The project root (local.settings.json, .local/). */
  readonly root: string;
  readonly env: NodeJS.ProcessEnv;
  readonly print: (text: string) => void;
  /** What to say when `npm start` owns the embedded storage (after "stop it first"). */
  readonly whileHostRuns?: string;
  /** Settings to add when absent (after local.settings.json and the environment). */
  readonly defaults?: (values: Record<string, string | undefined>) => void;
}

/**
 * Runs `tool` with the settings, on the embedded Azurite's data when they name development storage (started for the
 * tool and stopped after it); resolves to the tool's exit code, 2 when the local host owns that data.
 */
export async function withLocalStorage(options: LocalStorageOptions, tool: (values: Record<string, string | undefined>) => Promise<number>): Promise<number> {
  const values: Record<string, string | undefined> = { ...options.env, ...(await loadLocalSettings({ root: options.root, env: options.env })).values };
  options.defaults?.(values);
  let azurite: RunningAzurite | undefined;
  try {
    if (usesDevelopmentStorage(values.AzureWebJobsStorage)) {
      if (await localHostRuns(values.PORT ?? DEFAULT_PORT)) {
        options.print(`The local host (npm start) seems to be running and owns .local/azurite: stop it first${options.whileHostRuns ?? ''}, or set AzureWebJobsStorage to a connection string.`);
        return 2;
      }
      azurite = await startAzurite({ location: join(options.root, '.local', 'azurite'), services: ['table'] });
      values.AzureWebJobsStorage = azurite.connectionString;
    }
    return await tool(values);
  } finally {
    await azurite?.stop();
  }
}

/** Parses the command line, printing a usage error with `usage` (exit code 2), then runs `tool` with the command. */
export async function runCommand<C>(usage: string, print: (text: string) => void, parse: () => C, tool: (command: C) => Promise<number>): Promise<number> {
  let command: C;
  try {
    command = parse();
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    print(`${error.message}\n${usage}`);
    return 2;
  }
  return tool(command);
}
