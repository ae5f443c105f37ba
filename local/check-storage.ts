// Entry of `npm run check-storage` (compiled to dist/local/check-storage.js); see check-storage-cli.ts.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCheckStorage } from './check-storage-cli.js';

/** dist/local/check-storage.js → the project root, two levels up. */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

try {
  process.exitCode = await runCheckStorage(process.argv.slice(2), { root: projectRoot });
} catch (error: unknown) {
  console.error('The storage check failed:', error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
