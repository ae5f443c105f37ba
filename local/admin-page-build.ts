// Builds the admin page into a folder the page function serves: the TypeScript of web/admin/src compiled by the
// project's tsc (web/tsconfig.json: DOM lib, ES modules, no source maps) and the static files of web/admin copied
// beside it. `npm run build` writes dist/web/admin (dist/functions/admin-page.js serves it from there); the deployment
// package gets the same folder at the same place.
import { spawnSync } from 'node:child_process';
import { cp, mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { extname, join } from 'node:path';

/** The page's sources, relative to the repository root. */
export const ADMIN_PAGE_SOURCE = join('web', 'admin');
/** Where `npm run build` puts the page, relative to the repository root. */
export const ADMIN_PAGE_OUTPUT = join('dist', 'web', 'admin');
/** The static files copied as they are; the TypeScript in src/ is compiled instead. */
const STATIC_EXTENSIONS = new Set(['.html', '.css', '.svg', '.png', '.ico']);

/** Runs the project's tsc with `args`; throws with its output when it fails. */
export function runTsc(root: string, args: readonly string[], what: string): void {
  const tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, ...args], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`tsc failed compiling ${what}:\n${result.stdout}${result.stderr}`);
}

/** Compiles and copies the page into `outDir` (created if needed); answers the files written, relative to it. */
export async function buildAdminPage(root: string, outDir: string): Promise<string[]> {
  await mkdir(outDir, { recursive: true });
  runTsc(root, ['-p', join(root, 'web', 'tsconfig.json'), '--outDir', outDir], 'the admin page');
  const source = join(root, ADMIN_PAGE_SOURCE);
  for (const entry of await readdir(source, { withFileTypes: true })) {
    if (entry.isFile() && STATIC_EXTENSIONS.has(extname(entry.name).toLowerCase())) await cp(join(source, entry.name), join(outDir, entry.name));
  }
  return (await readdir(outDir, { recursive: true, withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name).slice(outDir.length + 1));
}
