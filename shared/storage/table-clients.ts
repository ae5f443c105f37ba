// One TableClient per table, built from the settings: a connection string (Azurite locally) or the account's table
// endpoint with a managed identity (Azure). Tables are created on first use. Every client checks what it writes
// against Azure's size limits before sending it (entity-limits.ts), so no write path can skip the check.
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Settings } from '../config.js';
import { assertEntityWithinLimits, assertTransactionWithinLimits } from './entity-limits.js';
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
      return withEntityLimits(TableClient.fromConnectionString(settings.AzureWebJobsStorage, tableName, { allowInsecureConnection: true }));
    }
    // parseSettings guarantees one of the two storage settings.
    return withEntityLimits(new TableClient(settings.AzureWebJobsStorage__tableServiceUri ?? '', tableName, storageCredential(settings)));
  };
  return Object.fromEntries(TABLE_NAMES.map((name) => [name, make(name)])) as TableClients;
}

/**
 * Makes the client's writes (create, upsert, update, transactions) throw EntityLimitError instead of sending what
 * Azure would refuse. Returns the same client.
 */
export function withEntityLimits(client: TableClient): TableClient {
  const table = client.tableName;
  const createEntity = client.createEntity.bind(client);
  const upsertEntity = client.upsertEntity.bind(client);
  const updateEntity = client.updateEntity.bind(client);
  const submitTransaction = client.submitTransaction.bind(client);
  client.createEntity = async (entity, options) => {
    assertEntityWithinLimits(entity, table);
    return createEntity(entity, options);
  };
  client.upsertEntity = async (entity, mode, options) => {
    assertEntityWithinLimits(entity, table);
    return upsertEntity(entity, mode, options);
  };
  client.updateEntity = async (entity, mode, options) => {
    assertEntityWithinLimits(entity, table);
    return updateEntity(entity, mode, options);
  };
  client.submitTransaction = async (actions, options) => {
    assertTransactionWithinLimits(actions, table);
    return submitTransaction(actions, options);
  };
  return client;
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
