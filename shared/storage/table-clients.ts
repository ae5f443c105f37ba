// One TableClient per table, built from the settings: a connection string (Azurite locally) or the account's table
// endpoint with a managed identity (Azure). Tables are created on first use. Every client checks what it writes
// against Azure's size limits before sending it (entity-limits.ts), so no write path can skip the check. A storage call
// is most of a SCIM request's CPU (docs/performance.md), so each client is a LeanTableClient: its point calls and
// transactions go straight to HTTP through the pipeline's policies that matter (lean-table-client.ts), and the
// pipeline its remaining SDK calls (queries, table creation) take leaves out what does nothing for us
// (LEAN_PIPELINE_DROPS).
import { TableClient } from '@azure/data-tables';
import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import type { Settings } from '../config.js';
import { assertEntityWithinLimits, assertTransactionWithinLimits } from './entity-limits.js';
import { LeanTableClient } from './lean-table-client.js';
import { parseAccountConnectionString } from './storage-connection-string.js';
import { isConflict } from './storage-errors.js';

export const TABLE_NAMES = ['integrations', 'people', 'userindex', 'groups', 'members', 'attributes', 'syncruns', 'provisioninglog', 'targeting'] as const;
export type TableName = (typeof TABLE_NAMES)[number];
export type TableClients = Record<TableName, TableClient>;

export interface TableClientsOptions {
  /** Prefix for every table name (letters and digits), so tests and benchmarks can share one Azurite. */
  tablePrefix?: string;
}

/**
 * Pipeline policies of the SDK that cost CPU on every storage call and do nothing here:
 * - `tracingPolicy`: sanitises the URL and opens an OpenTelemetry span per HTTP request; no tracer is installed
 *   (observability/telemetry.ts), so every span is a no-op. Put it back when dependency tracing is wired there.
 * - `redirectPolicy`: Table Storage does not redirect. `formDataPolicy` and `multipartPolicy`: no call sends a form or
 *   a multipart body through the pipeline (entity-group transactions build their own body). Each is one more async
 *   hop per call.
 * The retry, authentication, proxy, client-request-id, user-agent and log policies stay (the log policy writes only
 * under AZURE_LOG_LEVEL; the proxy policy honours HTTPS_PROXY where one is set).
 */
export const LEAN_PIPELINE_DROPS = ['tracingPolicy', 'redirectPolicy', 'formDataPolicy', 'multipartPolicy'] as const;

/** Removes LEAN_PIPELINE_DROPS from the client's pipeline. Returns the same client. */
export function withLeanPipeline(client: TableClient): TableClient {
  for (const name of LEAN_PIPELINE_DROPS) client.pipeline.removePolicy({ name });
  return client;
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
      const account = parseAccountConnectionString(settings.AzureWebJobsStorage);
      const client =
        account === undefined
          ? TableClient.fromConnectionString(settings.AzureWebJobsStorage, tableName, { allowInsecureConnection: true })
          : new LeanTableClient(account.url, tableName, account, { allowInsecureConnection: true });
      return withLeanPipeline(withEntityLimits(client));
    }
    // parseSettings guarantees one of the two storage settings.
    return withLeanPipeline(withEntityLimits(new LeanTableClient(settings.AzureWebJobsStorage__tableServiceUri ?? '', tableName, storageCredential(settings))));
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
