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

// The admin page's browser tests drive Debian's chromium (playwright-core downloads no browser). Installed here when
// missing and the machine can (Debian or Ubuntu, as root); silent when it is already there.
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (process.platform === 'linux' && !existsSync(chromium) && existsSync('/usr/bin/apt-get')) {
  if (process.getuid?.() === 0) {
    process.stdout.write('Installing chromium for the browser tests (apt-get install chromium)...\n');
    const apt = (args) => spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status;
    const install = ['install', '-y', '--no-install-recommends', 'chromium'];
    // A fresh container has no package lists yet: update once, then try again.
    if (apt(install) !== 0 && (apt(['update']) !== 0 || apt(install) !== 0)) process.exit(1);
  } else {
    process.stdout.write(`The browser tests need chromium at ${chromium}: run \`sudo apt-get install -y --no-install-recommends chromium\`.\n`);
  }
}
