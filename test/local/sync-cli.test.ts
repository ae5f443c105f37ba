// `npm run sync`: a Graph sync run from the command line, against the storage the settings name (here the test run's
// Azurite, tables of its own), with the real planner, Graph client and credential (against the Graph fake) and the
// real run machinery, its steps delivered in the process. The report on stdout, the progress line, the exit codes.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSyncCli } from '../../local/sync-cli.js';
import { parseSettings } from '../../shared/config.js';
import { parseGraphIntegrationInput } from '../../shared/graph/graph-integration-settings.js';
import { LocalFileSecretStore } from '../../shared/secrets/local-file-secret-store.js';
import { createServices, type Services } from '../../shared/services.js';
import { type GraphFake, startGraphFake } from '../support/graph-fake/graph-fake.js';
import { sampleTenant, type SampleTenant } from '../support/graph-fake/sample-tenant.js';
import { dropTables } from '../support/fresh-tables.js';
import { sampleContentManagerUsers } from '../shared/graph/sync/graph-sync-harness.js';

const connectionString = String(process.env.AzureWebJobsStorage);
const tablePrefix = `sync${randomBytes(4).toString('hex')}`;
let root: string;
let all: Services;
let fake: GraphFake;
let sample: SampleTenant;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sync-cli-'));
  all = await createServices(parseSettings({ AzureWebJobsStorage: connectionString }), { tablePrefix, secrets: new LocalFileSecretStore(join(root, 'secrets.json')) });
  sample = sampleTenant();
  fake = startGraphFake({ tenant: sample.tenant, fake: { pageSize: 2, deltaPageSize: 3, memberLinksPerEntry: 2 } });
  const rows = sampleContentManagerUsers(['alice', 'bob', 'carol', 'dave', 'erin']).map((row, index) => ({ ...row, row: index + 1 }));
  expect((await all.contentManagerUsers.import(rows, [])).rejected).toEqual([]);
});
afterAll(async () => {
  fake.close();
  await dropTables(all.tables);
  await rm(root, { recursive: true, force: true });
});

async function graphIntegration(clientSecret = sample.tenant.app.clientSecret): Promise<string> {
  const body = { tenantId: sample.tenant.tenantId, clientId: sample.tenant.app.clientId, clientSecret, groupSelection: { mode: 'displayNamePrefixes', prefixes: ['COMMS-'] } };
  return (await all.integrations.createGraph({ displayName: 'Graph', ...parseGraphIntegrationInput(body, 'create') }, 'http://localhost')).id;
}

async function groupNames(integrationId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const group of all.groups.list(integrationId)) names.push(group.displayName);
  return names.sort();
}

interface CliResult {
  code: number;
  printed: string[];
  progress: string[];
}

async function sync(args: string[]): Promise<CliResult> {
  const printed: string[] = [];
  const progress: string[] = [];
  const code = await runSyncCli([...args, '--table-prefix', tablePrefix], {
    root,
    env: { AzureWebJobsStorage: connectionString, LOCAL_SECRET_STORE_PATH: join(root, 'secrets.json') },
    print: (text) => printed.push(text),
    progress: { intervalMs: 60_000, update: (line) => progress.push(line), end: () => undefined },
    planner: { client: { sleep: () => Promise.resolve(), random: () => 0.5 } },
    drain: { concurrency: 4, retryDelayMs: 0 },
  });
  return { code, printed, progress };
}

const reportOf = (result: CliResult): Record<string, any> => JSON.parse(result.printed.at(-1) ?? '{}') as Record<string, any>;

describe('npm run sync', { timeout: 180_000 }, () => {
  it('runs a dry run that writes nothing, then a real run, printing the progress and the run report', async () => {
    const id = await graphIntegration();

    const dry = await sync(['--integration', id, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(reportOf(dry)).toMatchObject({ integrationId: id, kind: 'full', dryRun: true, trigger: 'cli', status: 'succeeded', counts: { usersSeen: 7, usersMatched: 5, usersUnmatched: 2 } });
    expect(await groupNames(id)).toEqual([]);

    const real = await sync(['--integration', id]);
    expect(real.code).toBe(0);
    const report = reportOf(real);
    expect(report).toMatchObject({ kind: 'full', dryRun: false, trigger: 'cli', status: 'succeeded', failureReason: null, errors: [] });
    expect(report.counts).toMatchObject({ usersSeen: 7, usersMatched: 5, usersUnmatched: 2, groupsCreated: 9, membershipsAdded: 16, membershipsRemoved: 0 });
    expect(report.steps).toMatchObject({ outstanding: 0 });
    expect(real.progress.at(-1)).toMatch(
      new RegExp(`^run ${report.id} \\(full\\) succeeded · steps ${report.steps.completed} done, 0 queued · users 7 seen, 5 matched, 2 unmatched · groups \\d+ seen · memberships \\+16 -0 · Graph requests ${report.counts.graphRequests} · \\d+\\.\\d s$`),
    );
    expect(await groupNames(id)).toHaveLength(9);

    const delta = await sync(['--integration', id]);
    expect(reportOf(delta)).toMatchObject({ kind: 'delta', status: 'succeeded', counts: { groupsCreated: 0, membershipsAdded: 0, membershipsRemoved: 0 } });
  });

  it('exits 1 with the failed run report when the run fails (a wrong client secret)', async () => {
    const id = await graphIntegration('not-the-secret');
    const result = await sync(['--integration', id, '--full']);
    expect(result.code).toBe(1);
    const report = reportOf(result);
    expect(report).toMatchObject({ status: 'failed', kind: 'full' });
    expect(report.failureReason).toMatch(/secret/i);
    expect(JSON.stringify(result)).not.toContain('not-the-secret');
  });

  it('exits 2 without starting a run: no integration given, an unknown one, a SCIM one', async () => {
    expect(await sync([])).toMatchObject({ code: 2, printed: [expect.stringMatching(/^--integration <id> is required .*\nusage: npm run sync/)] });
    expect(await sync(['--integration', 'nosuchintegration'])).toMatchObject({ code: 2, printed: ['Integration nosuchintegration not found.'] });
    const scim = await all.integrations.create({ displayName: 'SCIM', userProvisioning: 'matchOnly' }, 'http://localhost');
    expect(await sync(['--integration', scim.id])).toMatchObject({ code: 2, printed: [expect.stringMatching(/receives its data through SCIM/)] });
  });
});
