// Tables of their own (a fresh random prefix) in the test run's Azurite, for storage tests that must not see each
// other's rows.
import { randomBytes } from 'node:crypto';
import { parseSettings } from '../../shared/config.js';
import { createTableClients, ensureTables, type TableClients } from '../../shared/storage/table-clients.js';

export async function createFreshTables(): Promise<TableClients> {
  const settings = parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage });
  const tables = createTableClients(settings, { tablePrefix: `t${randomBytes(6).toString('hex')}` });
  await ensureTables(tables);
  return tables;
}

export async function dropTables(...sets: TableClients[]): Promise<void> {
  await Promise.all(sets.flatMap((tables) => Object.values(tables).map((table) => table.deleteTable())));
}
