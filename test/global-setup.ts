// Starts one in-memory Azurite (free ports) for the whole test run. Test files read its connection
// string from `process.env.AzureWebJobsStorage` (inherited by the worker processes) or via
// `inject('azuriteConnectionString')`.
import type { TestProject } from 'vitest/node';
import { startAzurite } from '../local/azurite.js';

declare module 'vitest' {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite({ inMemory: true });
  const previous = process.env.AzureWebJobsStorage;
  process.env.AzureWebJobsStorage = azurite.connectionString;
  project.provide('azuriteConnectionString', azurite.connectionString);
  return async () => {
    if (previous === undefined) delete process.env.AzureWebJobsStorage;
    else process.env.AzureWebJobsStorage = previous;
    await azurite.stop();
  };
}
