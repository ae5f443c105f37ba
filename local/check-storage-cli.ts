// `npm run check-storage [-- --repair] [-- --table-prefix <prefix>]`: the storage checker over the storage `npm start`
// uses (local.settings.json Values, environment variables winning; with development storage, the embedded Azurite's
// data in .local/azurite) or any account the settings name. One line per problem, then a summary; exit code 0 when
// nothing remains wrong, 1 when problems remain, 2 when the check could not run.
import { parseSettings } from '../shared/config.js';
import { checkStorage, type StorageProblem } from '../shared/maintenance/storage-checker.js';
import { createTableClients } from '../shared/storage/table-clients.js';
import { parseOptions, runCommand, tablePrefixOf, withLocalStorage } from './local-storage-cli.js';

export const USAGE = 'usage: npm run check-storage [-- [--repair] [--table-prefix <letters and digits>]]';

export interface CheckStorageCliOptions {
  /** The project root (local.settings.json, .local/azurite). */
  root: string;
  env?: NodeJS.ProcessEnv;
  print?: (line: string) => void;
}

function parseCommandLine(args: string[]): { repair: boolean; tablePrefix: string } {
  const values = parseOptions(args, { repair: { type: 'boolean' }, 'table-prefix': { type: 'string' } });
  return { repair: values.repair === true, tablePrefix: tablePrefixOf(values['table-prefix']) };
}

export const formatProblem = (problem: StorageProblem): string =>
  [problem.kind, problem.table, problem.partitionKey, problem.rowKey, problem.detail, ...(problem.repaired ? ['(repaired)'] : [])].join('\t');

/** Runs the check; resolves to the process exit code. */
export async function runCheckStorage(args: string[], options: CheckStorageCliOptions): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  return runCommand(USAGE, print, () => parseCommandLine(args), (command) =>
    withLocalStorage({ root: options.root, env: options.env ?? process.env, print }, async (values) => {
      const tables = createTableClients(parseSettings(values), { tablePrefix: command.tablePrefix });
      const result = await checkStorage(tables, { repair: command.repair, onProblem: (problem) => print(formatProblem(problem)) });
      const remaining = result.problemCount - result.repaired;
      const advice = remaining > 0 && !command.repair ? ' (npm run check-storage -- --repair fixes what can be derived)' : '';
      print(`storage check: ${result.rowsChecked} rows, ${result.problemCount} problems, ${result.repaired} repaired, ${remaining} remaining${advice}`);
      return remaining > 0 ? 1 : 0;
    }),
  );
}
