// `npm run check-storage [-- --repair] [-- --table-prefix <prefix>]`: the storage checker over the storage `npm start`
// uses (local.settings.json Values, environment variables winning; with development storage, the embedded Azurite's
// data in .local/azurite) or any account the settings name. One line per problem, then a summary; exit code 0 when
// nothing remains wrong, 1 when problems remain, 2 when the check could not run.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSettings } from '../shared/config.js';
import { checkStorage, type StorageProblem } from '../shared/maintenance/storage-checker.js';
import { createTableClients } from '../shared/storage/table-clients.js';
import { type RunningAzurite, startAzurite, waitForPort } from './azurite.js';
import { loadLocalSettings } from './settings-file.js';

export const USAGE = 'usage: npm run check-storage [-- [--repair] [--table-prefix <letters and digits>]]';
export const DEFAULT_PORT = '7071';
export const TABLE_PREFIX = /^([A-Za-z][A-Za-z0-9]*)?$/;

export interface CheckStorageCliOptions {
  /** The project root (local.settings.json, .local/azurite). */
  root: string;
  env?: NodeJS.ProcessEnv;
  print?: (line: string) => void;
}

export class UsageError extends Error {}

function parseCommandLine(args: string[]): { repair: boolean; tablePrefix: string } {
  let values: { repair?: boolean; 'table-prefix'?: string };
  try {
    ({ values } = parseArgs({ args, options: { repair: { type: 'boolean' }, 'table-prefix': { type: 'string' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const tablePrefix = values['table-prefix'] ?? '';
  if (!TABLE_PREFIX.test(tablePrefix)) throw new UsageError('--table-prefix takes letters and digits, starting with a letter');
  return { repair: values.repair === true, tablePrefix };
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

export const formatProblem = (problem: StorageProblem): string =>
  [problem.kind, problem.table, problem.partitionKey, problem.rowKey, problem.detail, ...(problem.repaired ? ['(repaired)'] : [])].join('\t');

/** Runs the check; resolves to the process exit code. */
export async function runCheckStorage(args: string[], options: CheckStorageCliOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const env = options.env ?? process.env;
  let command: ReturnType<typeof parseCommandLine>;
  try {
    command = parseCommandLine(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    print(`${error.message}\n${USAGE}`);
    return 2;
  }
  const values: Record<string, string | undefined> = { ...env, ...(await loadLocalSettings({ root: options.root, env })).values };
  let azurite: RunningAzurite | undefined;
  try {
    if (usesDevelopmentStorage(values.AzureWebJobsStorage)) {
      if (await localHostRuns(values.PORT ?? DEFAULT_PORT)) {
        print('The local host (npm start) seems to be running and owns .local/azurite: stop it first, or set AzureWebJobsStorage to a connection string.');
        return 2;
      }
      azurite = await startAzurite({ location: join(options.root, '.local', 'azurite'), services: ['table'] });
      values.AzureWebJobsStorage = azurite.connectionString;
    }
    const tables = createTableClients(parseSettings(values), { tablePrefix: command.tablePrefix });
    const result = await checkStorage(tables, { repair: command.repair, onProblem: (problem) => print(formatProblem(problem)) });
    const remaining = result.problemCount - result.repaired;
    const advice = remaining > 0 && !command.repair ? ' (npm run check-storage -- --repair fixes what can be derived)' : '';
    print(`storage check: ${result.rowsChecked} rows, ${result.problemCount} problems, ${result.repaired} repaired, ${remaining} remaining${advice}`);
    return remaining > 0 ? 1 : 0;
  } finally {
    await azurite?.stop();
  }
}
