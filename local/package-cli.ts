// Entry of `npm run package` (compiled to dist/local/package-cli.js): builds the deployment package into
// dist/package (app/ is what azd deploys, app.zip the same files zipped) and prints its size.
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDeploymentPackage } from './deployment-package.js';

/** dist/local/package-cli.js → the project root, two levels up. */
const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const megabytes = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

try {
  const built = await buildDeploymentPackage({ root: projectRoot, outDir: resolve(projectRoot, 'dist', 'package') });
  console.log(`Deployment package: ${relative(projectRoot, built.folder)} (deployed by azd), ${relative(projectRoot, built.zipPath)}`);
  console.log(`  ${built.files} files, ${built.dependencies.length} production packages`);
  console.log(`  zip size: ${megabytes(built.zipBytes)} (${built.zipBytes} bytes)`);
} catch (error: unknown) {
  console.error('Packaging failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
}
