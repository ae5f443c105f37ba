// Builds the deployment package: the folder azd uploads (azure.yaml `dist`, `remoteBuild: false`) and the same folder
// as a zip. It holds only what runs in Azure:
//   dist/functions, dist/shared  the product code, compiled by tsc from functions/ and shared/ only (local/, bench/
//                                and test/ are never compiled into it; no source maps, whose sources would be absent)
//   dist/web/admin               the admin page (local/admin-page-build.ts), served by dist/functions/admin-page.js
//   host.json
//   package.json                 name, type, main, engines and dependencies; no scripts, no devDependencies
//   node_modules                 exactly the production tree package-lock.json names, copied from the node_modules
//                                `npm ci` installed, each package's version checked against the lockfile
// Built locally and the same way every time (the lockfile decides every byte of node_modules, the zip is
// deterministic), so what the package test runs is what Azure runs; a remote build would install again in Azure.
import { cp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ADMIN_PAGE_OUTPUT, buildAdminPage, runTsc } from './admin-page-build.js';
import { writeZip } from './zip-archive.js';

/** The only folders of the repository compiled into the package. */
export const PACKAGED_SOURCE_FOLDERS = ['functions', 'shared'] as const;

export interface DeploymentPackage {
  /** The folder to deploy (azure.yaml `dist`). */
  readonly folder: string;
  readonly zipPath: string;
  readonly zipBytes: number;
  readonly files: number;
  /** Lockfile paths of the production packages copied, e.g. `node_modules/@azure/functions`. */
  readonly dependencies: readonly string[];
}

export interface BuildOptions {
  /** The repository root (package.json, package-lock.json, node_modules). */
  readonly root: string;
  /** Emptied, then filled with `app/` and `app.zip`. */
  readonly outDir: string;
}

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  type?: string;
  main?: string;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
}

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  link?: boolean;
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

async function compile(root: string, outDir: string, appDir: string): Promise<void> {
  const tsconfigPath = join(outDir, 'tsconfig.package.json');
  const tsconfig = {
    extends: join(root, 'tsconfig.json'),
    compilerOptions: {
      rootDir: root,
      outDir: join(appDir, 'dist'),
      typeRoots: [join(root, 'node_modules', '@types')],
      sourceMap: false,
      declaration: false,
      incremental: false,
    },
    include: PACKAGED_SOURCE_FOLDERS.map((folder) => join(root, folder)),
  };
  await writeFile(tsconfigPath, JSON.stringify(tsconfig, null, 2));
  runTsc(root, ['-p', tsconfigPath], 'the package');
}

/** package.json of the package: what the Functions host and Node read, nothing that installs or builds. */
function leanManifest(manifest: Manifest): Manifest {
  const { name, version, type, main, engines, dependencies } = manifest;
  return { name, version, private: true, type, main, engines, dependencies };
}

/** Copies the lockfile's production packages (every `node_modules/…` entry not marked dev) into `appDir`. */
async function copyProductionTree(root: string, appDir: string): Promise<string[]> {
  const lock = await readJson<{ packages?: Record<string, LockEntry> }>(join(root, 'package-lock.json'));
  const copied: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    if (!path.startsWith('node_modules/') || entry.dev === true || entry.link === true) continue;
    const source = join(root, path);
    if (!(await exists(join(source, 'package.json')))) {
      if (entry.optional === true) continue; // an optional package for another platform
      throw new Error(`${path} is missing from node_modules: run \`npm ci\` before packaging.`);
    }
    const installed = (await readJson<Manifest>(join(source, 'package.json'))).version;
    if (installed !== entry.version) {
      throw new Error(`${path} is ${installed} in node_modules but ${entry.version} in package-lock.json: run \`npm ci\`.`);
    }
    // Nested node_modules hold packages of their own lockfile entries, copied (or not, if dev) on their own.
    const nested = join(source, 'node_modules');
    await cp(source, join(appDir, path), { recursive: true, dereference: true, filter: (from) => from !== nested });
    copied.push(path);
  }
  return copied;
}

export async function buildDeploymentPackage(options: BuildOptions): Promise<DeploymentPackage> {
  const { root, outDir } = options;
  const folder = join(outDir, 'app');
  await rm(outDir, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  await compile(root, outDir, folder);
  await buildAdminPage(root, join(folder, ADMIN_PAGE_OUTPUT));
  await cp(join(root, 'host.json'), join(folder, 'host.json'));
  const manifest = leanManifest(await readJson<Manifest>(join(root, 'package.json')));
  await writeFile(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const dependencies = await copyProductionTree(root, folder);
  const zipPath = join(outDir, 'app.zip');
  const { bytes, files } = await writeZip(folder, zipPath);
  return { folder, zipPath, zipBytes: bytes, files, dependencies };
}
