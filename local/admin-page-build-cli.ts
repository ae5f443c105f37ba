// Part of `npm run build` (compiled to dist/local/admin-page-build-cli.js): builds the admin page into dist/web/admin.
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADMIN_PAGE_OUTPUT, buildAdminPage } from './admin-page-build.js';

/** dist/local/admin-page-build-cli.js → the project root, two levels up. */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

try {
  const files = await buildAdminPage(projectRoot, join(projectRoot, ADMIN_PAGE_OUTPUT));
  console.log(`Admin page: ${files.length} files in ${ADMIN_PAGE_OUTPUT}`);
} catch (error: unknown) {
  console.error('Building the admin page failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
