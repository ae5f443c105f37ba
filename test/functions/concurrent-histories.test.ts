// Concurrent histories against a model: rounds of SCIM POST/PATCH/PUT/DELETE on users and groups from three
// integrations plus admin imports (some renaming a UPN), over 4 userNames and 2 group names so that requests collide.
// The operations of a round run concurrently against the real local host, fast-check's scheduler choosing the order
// in which requests start and storage calls proceed. After every history: no answer was a 5xx or lacked its SCIM
// envelope; the answers and the final state (each integration's users, what its `userName eq` finds, its groups and
// members, the Content Manager users) are those of some order of the operations consistent with the rounds; and the
// storage checker finds nothing. `npm run soak` runs this file with thousands of histories (test/soak/run-soak.mjs);
// HISTORY_STRICT=1 stops tolerating the known races listed in history-check.ts; HISTORY_SEED + HISTORY_PATH replay one.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { checkStorage } from '../../shared/maintenance/storage-checker.js';
import { checkHistory, type Step } from '../support/history-check.js';
import { INTEGRATIONS, type Op } from '../support/history-model.js';
import { describeOp, HistoryWorld } from '../support/history-runner.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

/** Histories per `npm test` run, and the seed that makes them the same every run; the soak overrides both. */
const HISTORIES = Number(process.env.HISTORIES ?? 25);
const SEED = Number(process.env.HISTORY_SEED ?? 20_260_801);
/** Budget per history, for the test timeout (a history takes well under a second). */
const MS_PER_HISTORY = 3_000;
/** fast-check's `path` of a failure (printed with its seed): HISTORY_SEED=S HISTORY_PATH=P replays that one history. */
const REPLAY_PATH = process.env.HISTORY_PATH;
const PROGRESS_EVERY = Number(process.env.HISTORY_PROGRESS ?? 0);

const by = fc.constantFrom(...INTEGRATIONS);
const pick = fc.nat({ max: 7 });
const someUsers = fc.array(pick, { minLength: 1, maxLength: 3 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('userPost' as const), by, name: pick, upper: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('userRename' as const), by, user: pick, name: pick, put: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('userDelete' as const), by, user: pick }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('import' as const), username: pick, upn: pick, upper: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('groupPost' as const), by, name: pick, members: fc.array(pick, { maxLength: 3 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('groupMembers' as const), by, group: pick, members: someUsers, remove: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('groupRename' as const), by, group: pick, name: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('groupDelete' as const), by, group: pick }) },
);
/** Operations that run concurrently; sometimes one of them twice (a client's retry while the first is running). */
const round = fc
  .tuple(fc.array(op, { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { freq: 3 }))
  .map(([ops, again]) => (again === null ? ops : [...ops, ops[again % ops.length] as Op]));
/** Rounds run one after another. */
const history = fc.array(round, { minLength: 1, maxLength: 4 });

let host: TestHost;
/** The host's fault lines (stack excerpts under a correlation id), shown with a history that saw a 5xx. */
let faults: string[] = [];
beforeAll(async () => {
  host = await startTestHost({ log: (line) => void (/ fault [0-9a-f]+:/.test(line) && faults.push(line)) });
});
afterAll(async () => host.close());

/** Runs one history; returns what went wrong (nothing when it is correct), with the history for replay. */
async function runHistory(rounds: Op[][], scheduler: fc.Scheduler): Promise<string[]> {
  const world = await HistoryWorld.open(host);
  faults = [];
  try {
    const steps: Step[][] = [];
    for (const round of rounds) {
      const ops = round.map((generated) => world.resolve(generated));
      const answers = await world.runRound(scheduler, ops);
      steps.push(ops.map((resolved, i) => ({ op: resolved, answer: answers[i] ?? { status: -1 } })));
    }
    const observed = await world.observe();
    const verdict = checkHistory(steps, observed);
    const failures = [...world.protocolViolations, ...(verdict.ok ? [] : [verdict.reason]), ...(await checkStorage(world.tables)).problems.map((p) => `storage: ${p.kind} ${p.table} ${p.partitionKey}/${p.rowKey}: ${p.detail}`)];
    if (failures.length === 0) return [];
    const shown = steps.map((round, r) => [`round ${r + 1}:`, ...round.map(({ op: o, answer }) => `  ${describeOp(o)} -> ${JSON.stringify(answer)}`)].join('\n'));
    return [...failures, ...faults.map((line) => `host: ${line}`), 'history:', ...shown, `observed: ${JSON.stringify(observed, null, 1)}`, ...(verdict.ok ? [] : [`a model state: ${JSON.stringify(verdict.candidates[0] ?? null, null, 1)}`])];
  } finally {
    await world.close();
  }
}

it(
  `${HISTORIES} concurrent histories end in a state some order of their acknowledged operations explains (seed ${SEED})`,
  async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(history, fc.scheduler(), async (rounds, scheduler) => {
        const failures = await runHistory(rounds, scheduler);
        if (PROGRESS_EVERY > 0 && ++run % PROGRESS_EVERY === 0) console.log(`${run} histories run (seed ${SEED})`);
        expect(failures, failures.join('\n')).toEqual([]);
      }),
      { seed: SEED, numRuns: HISTORIES, endOnFailure: process.env.HISTORY_SHRINK === '0', ...(REPLAY_PATH === undefined ? {} : { path: REPLAY_PATH }) },
    );
  },
  HISTORIES * MS_PER_HISTORY + 60_000,
);
