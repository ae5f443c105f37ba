// `npm run sync -- --integration <id> [--dry-run] [--full] [--table-prefix <prefix>]`: one Graph sync run from the
// command line, against the storage `npm start` uses (local.settings.json Values, environment variables winning; with
// development storage, the embedded Azurite's data in .local/azurite) or any account the settings name. The run is the
// real one: started with the integration's lock, planned by the Graph sync planner, its steps committed by the run
// machinery, only delivered in this process (local/in-process-steps.ts) instead of through the `graph-sync` queue.
// A progress line on stderr while it runs; the run report (JSON, as GET .../sync-runs/{runId} shows it) on stdout.
// Exit code 0 when the run succeeded, 1 when it failed, 2 when it could not start.
import { join } from 'node:path';
import { parseSettings } from '../shared/config.js';
import { GraphSyncPlanner, type GraphSyncPlannerOptions } from '../shared/graph/sync/graph-sync-planner.js';
import { graphSyncDependencies } from '../shared/graph/sync/install.js';
import { createServices } from '../shared/services.js';
import type { SyncRunRecord } from '../shared/storage/sync-run-repository.js';
import { syncable } from '../shared/sync-runs/scheduled-runs.js';
import { createSyncRunServices } from '../shared/sync-runs/sync-run-services.js';
import { runView } from '../shared/sync-runs/sync-runs-api.js';
import { SyncRunInProgressError } from '../shared/sync-runs/sync-runs.js';
import { type DrainOptions, drainSteps, InProcessStepQueue } from './in-process-steps.js';
import { parseOptions, runCommand, tablePrefixOf, UsageError, withLocalStorage } from './local-storage-cli.js';
import { progressLine, type ProgressWriter, terminalProgress } from './sync-progress.js';

export const USAGE = 'usage: npm run sync -- --integration <id> [--dry-run] [--full] [--table-prefix <letters and digits>]';

export interface SyncCliOptions {
  /** The project root (local.settings.json, .local/azurite, .local/secrets.json). */
  readonly root: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The run report and what stops a run from starting (default: stdout). */
  readonly print?: (text: string) => void;
  /** The live progress line (default: stderr, redrawn in place on a terminal). */
  readonly progress?: ProgressWriter;
  /** How often the progress line is refreshed while steps run (default 1 s on a terminal, else 10 s). */
  readonly progressIntervalMs?: number;
  /** For tests: the planner's clock and Graph client options. */
  readonly planner?: GraphSyncPlannerOptions;
  readonly drain?: Pick<DrainOptions, 'concurrency' | 'retryDelayMs'>;
}

interface Command {
  readonly integrationId: string;
  readonly dryRun: boolean;
  readonly full: boolean;
  readonly tablePrefix: string;
}

function parseCommandLine(args: string[]): Command {
  const values = parseOptions(args, { integration: { type: 'string' }, 'dry-run': { type: 'boolean' }, full: { type: 'boolean' }, 'table-prefix': { type: 'string' } });
  const integrationId = typeof values.integration === 'string' ? values.integration.trim() : '';
  if (integrationId === '') throw new UsageError('--integration <id> is required (the id GET /api/admin/integrations lists)');
  return { integrationId, dryRun: values['dry-run'] === true, full: values.full === true, tablePrefix: tablePrefixOf(values['table-prefix']) };
}

/** Why the integration cannot run now (the admin route's rules), or undefined. */
function refusal(state: ReturnType<typeof syncable>, command: Command): string | undefined {
  if (state === 'notGraph') return `Integration ${command.integrationId} receives its data through SCIM; sync runs are for Graph integrations.`;
  if (state === 'deleting') return `Integration ${command.integrationId} is being deleted.`;
  if (state === 'paused' && !command.dryRun) return `Integration ${command.integrationId} is paused: enable it to run a sync, or start a dry run (--dry-run).`;
  return undefined;
}

/** Runs the sync; resolves to the process exit code. */
export async function runSyncCli(args: string[], options: SyncCliOptions): Promise<number> {
  const print = options.print ?? ((text: string) => console.log(text));
  return runCommand(USAGE, print, () => parseCommandLine(args), (command) =>
    withLocalStorage(
      {
        root: options.root,
        env: options.env ?? process.env,
        print,
        whileHostRuns: ' (or start the run with POST /api/admin/integrations/{id}/sync-runs)',
        defaults: (values) => {
          if (!values.KEY_VAULT_URL && !values.LOCAL_SECRET_STORE_PATH) values.LOCAL_SECRET_STORE_PATH = join(options.root, '.local', 'secrets.json');
        },
      },
      (values) => run(command, values, { ...options, print }),
    ),
  );
}

async function run(command: Command, values: Record<string, string | undefined>, options: SyncCliOptions & { print: (text: string) => void }): Promise<number> {
  const config = parseSettings(values);
  const all = await createServices(config, command.tablePrefix === '' ? {} : { tablePrefix: command.tablePrefix });
  const queue = new InProcessStepQueue();
  const planner = new GraphSyncPlanner(() => Promise.resolve(graphSyncDependencies(all)), options.planner);
  const sync = createSyncRunServices(all, config, { queue, handler: () => planner });

  const integration = await sync.integrations.get(command.integrationId);
  if (integration === undefined) {
    options.print(`Integration ${command.integrationId} not found.`);
    return 2;
  }
  const refused = refusal(syncable(integration), command);
  if (refused !== undefined) {
    options.print(refused);
    return 2;
  }
  let started: SyncRunRecord;
  try {
    started = await sync.runs.start({ integrationId: command.integrationId, full: command.full, dryRun: command.dryRun, trigger: 'cli' });
  } catch (error) {
    if (!(error instanceof SyncRunInProgressError)) throw error;
    options.print(error.message);
    return 2;
  }

  const progress = options.progress ?? terminalProgress(process.stderr);
  const startedAt = Date.now();
  const show = async (): Promise<SyncRunRecord> => {
    const current = (await sync.runs.get(command.integrationId, started.runId)) ?? started;
    progress.update(progressLine(current, Date.now() - startedAt));
    return current;
  };
  const ticker = setInterval(() => void show().catch(() => undefined), options.progressIntervalMs ?? progress.intervalMs);
  let report: SyncRunRecord;
  try {
    await drainSteps(sync.processor, queue, options.drain);
  } finally {
    clearInterval(ticker);
    report = await show();
    progress.end();
  }
  options.print(JSON.stringify(runView(report), null, 2));
  return report.status === 'succeeded' ? 0 : 1;
}
