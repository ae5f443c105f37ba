// Runs before `npm start` and `npm test` (npm's prestart/pretest), with whatever Node the machine has: on a fresh
// clone it installs the locked dependencies, which bring the project's own Node 22, so the two quick-start commands
// work as they are. Plain JavaScript on purpose: nothing is compiled yet when it runs.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const installed = existsSync(join(root, 'node_modules', '.package-lock.json')) && existsSync(join(root, 'node_modules', '.bin', 'node'));
if (!installed) {
  process.stdout.write('First run: installing the locked dependencies (npm ci), including the project\'s Node.js 22...\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
