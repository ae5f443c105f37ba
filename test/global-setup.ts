// Starts one in-memory Azurite (free ports) for the whole test run, behind a strict storage proxy that refuses, as
// Azure would, every write breaking Azure Table Storage's size limits (Azurite enforces only some of them; see
// test/support/azure-table-limits.ts). Test files read the proxied connection string from
// `process.env.AzureWebJobsStorage` (inherited by the worker processes) or via `inject('azuriteConnectionString')`;
// `inject('azuriteDirectConnectionString')` reaches Azurite without the proxy.
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../local/azurite.js';
import { startStorageProxy } from './support/storage-proxy.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
    azuriteDirectConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite({ inMemory: true });
  const strict = await startStorageProxy(azurite.connectionString, { strict: true, record: false });
  const previous = process.env.AzureWebJobsStorage;
  process.env.AzureWebJobsStorage = strict.connectionString;
  project.provide('azuriteConnectionString', strict.connectionString);
  project.provide('azuriteDirectConnectionString', azurite.connectionString);
  return async () => {
    if (previous === undefined) delete process.env.AzureWebJobsStorage;
    else process.env.AzureWebJobsStorage = previous;
    await strict.close();
    await azurite.stop();
  };
}
