// One TableClient per table, built from the settings: a connection string (Azurite locally) or the account's table
// endpoint with a managed identity (Azure). Tables are created on first use.
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Settings } from '../config.js';
import { isConflict } from './storage-errors.js';

export const TABLE_NAMES = ['integrations', 'people', 'userindex', 'groups', 'members', 'attributes'] as const;
export type TableName = (typeof TABLE_NAMES)[number];
export type TableClients = Record<TableName, TableClient>;

export interface TableClientsOptions {
  /** Prefix for every table name (letters and digits), so tests and benchmarks can share one Azurite. */
  tablePrefix?: string;
}

export function storageCredential(settings: Settings): TokenCredential {
  const clientId = settings.AzureWebJobsStorage__clientId ?? settings.AZURE_CLIENT_ID;
  if (settings.AzureWebJobsStorage__credential === 'managedidentity' && clientId !== undefined) {
    return new ManagedIdentityCredential({ clientId });
  }
  return new DefaultAzureCredential(clientId === undefined ? {} : { managedIdentityClientId: clientId });
}

export function createTableClients(settings: Settings, options: TableClientsOptions = {}): TableClients {
  const prefix = options.tablePrefix ?? '';
  const make = (name: TableName): TableClient => {
    const tableName = `${prefix}${name}`;
    if (settings.AzureWebJobsStorage !== undefined) {
      return TableClient.fromConnectionString(settings.AzureWebJobsStorage, tableName, {
        allowInsecureConnection: true,
      });
    }
    // parseSettings guarantees one of the two storage settings.
    return new TableClient(settings.AzureWebJobsStorage__tableServiceUri ?? '', tableName, storageCredential(settings));
  };
  return Object.fromEntries(TABLE_NAMES.map((name) => [name, make(name)])) as TableClients;
}

export async function ensureTables(clients: TableClients): Promise<void> {
  await Promise.all(
    Object.values(clients).map(async (client) => {
      try {
        await client.createTable();
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
    }),
  );
}
