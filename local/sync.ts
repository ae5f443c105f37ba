// Entry of `npm run sync` (compiled to dist/local/sync.js); see sync-cli.ts.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSyncCli } from './sync-cli.js';

/** dist/local/sync.js → the project root, two levels up. */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

try {
  process.exitCode = await runSyncCli(process.argv.slice(2), { root: projectRoot });
} catch (error: unknown) {
  console.error('The sync could not run:', error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
