// `npm run check-storage`: reads the storage settings as `npm start` does, prints one tab-separated line per problem
// and a summary, and exits 0 when nothing remains wrong, 1 when problems remain, 2 when it could not run.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCheckStorage } from '../../local/check-storage-cli.js';
import { parseSettings } from '../../shared/config.js';
import { createTableClients, ensureTables, type TableClients } from '../../shared/storage/table-clients.js';
import { dropTables } from '../support/fresh-tables.js';

const connectionString = String(process.env.AzureWebJobsStorage);
const tablePrefix = `cli${randomBytes(4).toString('hex')}`;
let tables: TableClients;
let root: string;

beforeAll(async () => {
  tables = createTableClients(parseSettings({ AzureWebJobsStorage: connectionString }), { tablePrefix });
  await ensureTables(tables);
  root = await mkdtemp(join(tmpdir(), 'check-storage-'));
});
afterAll(async () => {
  await dropTables(tables);
  await rm(root, { recursive: true, force: true });
});

async function run(args: string[], env: NodeJS.ProcessEnv = { AzureWebJobsStorage: connectionString }): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await runCheckStorage(args, { root, env, print: (line) => lines.push(...line.split('\n')) });
  return { code, lines };
}

describe('npm run check-storage', () => {
  it('prints each problem and exits 1, then repairs with --repair and exits 0', async () => {
    await tables.userindex.createEntity({ partitionKey: 'cm|email|nobody%40example.com', rowKey: `00${'3'.repeat(30)}` });
    const check = await run(['--table-prefix', tablePrefix]);
    expect(check.code).toBe(1);
    expect(check.lines[0]?.split('\t').slice(0, 4)).toEqual(['stale-index-row', 'userindex', 'cm|email|nobody%40example.com', `00${'3'.repeat(30)}`]);
    expect(check.lines.at(-1)).toMatch(/^storage check: 1 rows, 1 problems, 0 repaired, 1 remaining \(npm run check-storage -- --repair/);
    const repair = await run(['--repair', `--table-prefix=${tablePrefix}`]);
    expect(repair.code).toBe(0);
    expect(repair.lines[0]).toMatch(/^stale-index-row\t.*\t\(repaired\)$/);
    expect(repair.lines.at(-1)).toBe('storage check: 1 rows, 1 problems, 1 repaired, 0 remaining');
    expect(await run(['--table-prefix', tablePrefix])).toEqual({ code: 0, lines: ['storage check: 0 rows, 0 problems, 0 repaired, 0 remaining'] });
  });

  it('reads the connection string from local.settings.json, the environment winning', async () => {
    await writeFile(join(root, 'local.settings.json'), JSON.stringify({ IsEncrypted: false, Values: { AzureWebJobsStorage: connectionString } }));
    try {
      expect((await run(['--table-prefix', tablePrefix], {})).code).toBe(0);
    } finally {
      await rm(join(root, 'local.settings.json'));
    }
  });

  it.each([[['--fix']], [['stray']], [['--table-prefix', 'has-dash']], [['--table-prefix', '1digitfirst']]])('refuses %j with the usage (exit 2)', async (args) => {
    const { code, lines } = await run(args);
    expect(code).toBe(2);
    expect(lines.at(-1)).toMatch(/^usage: npm run check-storage/);
  });

  it('with development storage, opens .local/azurite with an Azurite of its own, unless the local host runs', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as AddressInfo).port);
    try {
      const refused = await run([], { AzureWebJobsStorage: 'UseDevelopmentStorage=true', PORT: port });
      expect(refused.code).toBe(2);
      expect(refused.lines[0]).toMatch(/seems to be running/);
    } finally {
      await new Promise((resolve) => busy.close(resolve));
    }
    const own = await run([], { AzureWebJobsStorage: 'UseDevelopmentStorage=true', PORT: port });
    expect(own).toEqual({ code: 0, lines: ['storage check: 0 rows, 0 problems, 0 repaired, 0 remaining'] });
  });
});
