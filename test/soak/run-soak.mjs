// `npm run soak [-- --seed S --histories N]`: runs the concurrent-history test (test/functions/concurrent-histories.
// test.ts) with N histories (default 10,000) from seed S (default: a random one), printing the seed first so that a
// failure can be replayed with the same arguments. Stops at the first failing history, which fast-check then shrinks
// to a minimal one; exits non-zero when a history failed.
import { spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = 'usage: npm run soak [-- --seed S --histories N]';
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const { values } = parseArgs({ options: { seed: { type: 'string' }, histories: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true });
if (values.help === true) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const integer = (name, text, fallback, min) => {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) {
    process.stderr.write(`--${name} must be an integer ≥ ${min}, got "${text}"\n${USAGE}\n`);
    process.exit(2);
  }
  return value;
};
const seed = integer('seed', values.seed, randomInt(2 ** 31), 0);
const histories = integer('histories', values.histories, 10_000, 1);

const replay = `npm run soak -- --seed ${seed} --histories ${histories}`;
process.stdout.write(`soak: ${histories} concurrent histories from seed ${seed} (replay: ${replay})\n`);
const vitest = join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'vitest.cmd' : 'vitest');
const result = spawnSync(vitest, ['run', 'test/functions/concurrent-histories.test.ts'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, HISTORY_SEED: String(seed), HISTORIES: String(histories), HISTORY_PROGRESS: '100' },
});
process.stdout.write(result.status === 0 ? `soak: ${histories} histories clean (seed ${seed})\n` : `soak: a history failed (seed ${seed}); replay: ${replay}\n`);
process.exit(result.status ?? 1);
