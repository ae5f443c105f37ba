// An Entra-like initial provisioning cycle replayed against a running host. Users are imported through the admin API
// first (not timed as SCIM); then, each as its own timed phase: Test Connection, the match GETs, the attribute
// PATCHes, the group creations (each preceded by Entra's zero-result displayName query), the membership PATCHes and
// the disables. The storage baseline (raw TableClient point reads at the same concurrency) is measured right after
// the match GETs, so both rates see the same machine load and storage contents; it is not part of the SCIM time. So is
// the batch baseline (100-entity transactions at the same concurrency), right after the membership adds it is compared
// with. When the target can tell the host's CPU time, each phase reports it per request.
import { randomUUID } from 'node:crypto';
import { BenchHttpClient, parseJson } from './http-client.js';
import { type BatchWriteResult, measureBatchWrites, measureRawReads, type RawReadResult } from './raw-storage.js';
import { type FailureGroup, FailureLog, isRecord, listResponseWith, ScimDriver, whenBody } from './scim-driver.js';
import { percentile, PhaseStats, type PhaseSummary, round, RssSampler, runPool, summarise } from './stats.js';

export interface CycleOptions {
  users: number;
  groups: number;
  memberships: number;
  concurrency: number;
  disableFraction: number;
  /** Members per group PATCH (Entra sends up to 100). */
  membersPerPatch?: number;
  /** Users per admin import request. */
  importChunk?: number;
  /** Minimum duration of the raw storage read measurement (default 3 s). */
  rawReadMinSeconds?: number;
}

export const DEFAULT_CYCLE_OPTIONS: CycleOptions = { users: 5_000, groups: 200, memberships: 20_000, concurrency: 16, disableFraction: 0.1 };

export interface CycleTarget {
  /** Base URL of the Functions host, e.g. http://127.0.0.1:7071 (routes under /api). */
  hostUrl: string;
  functionsKey: string;
  /** Table Storage connection string, for the raw read baseline. */
  connectionString: string;
  /** Progress lines (phase starts/ends); default silent. */
  progress?: (line: string) => void;
  /** CPU time the host process has used so far (ms), read before and after each phase; absent: not measured. */
  hostCpuMs?: () => Promise<number>;
  /** Started before the first SCIM phase and stopped after the last (e.g. a CPU profile of the host). */
  measuredWindow?: { start(): Promise<void>; stop(): Promise<void> };
}

export interface CycleSummary {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  rawStorageReadsPerSecond: number;
  matchGetsPerSecond: number;
  matchGetToRawReadRatio: number;
  /** Match GETs per second over the second half of that phase, i.e. after warm-up (informational). */
  matchGetsPerSecondSecondHalf: number;
  peakRssMb: number;
  /** Host CPU time over the SCIM phases ÷ their requests (undefined when the target cannot tell it). */
  hostCpuMsPerRequest?: number;
  /** p50 of the membership PATCHes that carry a full `membersPerPatch` members (undefined when none did). */
  groupAddP50Ms?: number;
  /** One transaction of `membersPerPatch` new entities at the same concurrency, in the same run. */
  batchWrite: BatchWriteResult;
  /** groupAddP50Ms ÷ batchWrite.p50Ms (undefined when either is missing). */
  groupAddToBatchRatio?: number;
  importSeconds: number;
  phases: PhaseSummary[];
  raw: RawReadResult;
  failureCount: number;
  failures: FailureGroup[];
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export class BenchSetupError extends Error {}

const filterPath = (resource: string, filter: string, extra: Record<string, string> = {}) =>
  `/${resource}?${new URLSearchParams({ ...extra, filter }).toString()}`;

function userNames(count: number): string[] {
  const width = Math.max(5, String(count).length);
  return Array.from({ length: count }, (_, i) => `user${String(i + 1).padStart(width, '0')}@bench.example`);
}

/** Member user indexes per group: group g gets a contiguous (wrapping) run of distinct users, sizes differ by ≤ 1. */
export function planMemberships(users: number, groups: number, memberships: number): number[][] {
  if (groups === 0 || users === 0) return Array.from({ length: groups }, () => []);
  const base = Math.floor(memberships / groups);
  const extra = memberships % groups;
  let cursor = 0;
  return Array.from({ length: groups }, (_, g) => {
    const size = Math.min(users, base + (g < extra ? 1 : 0));
    const members = Array.from({ length: size }, (_, j) => (cursor + j) % users);
    cursor = (cursor + size) % users;
    return members;
  });
}

/** Evenly spread user indexes to disable. */
export function planDisables(users: number, fraction: number): number[] {
  const count = Math.min(users, Math.max(0, Math.round(users * fraction)));
  return Array.from({ length: count }, (_, k) => Math.floor((k * users) / count));
}

async function adminCall(http: BenchHttpClient, target: CycleTarget, path: string, body: unknown, expected: number): Promise<unknown> {
  const url = `${target.hostUrl.replace(/\/+$/, '')}/api/admin${path}`;
  const result = await http.send('POST', url, { 'x-functions-key': target.functionsKey, 'content-type': 'application/json' }, JSON.stringify(body));
  if (result.status !== expected) {
    throw new BenchSetupError(`POST ${url} answered ${result.status || result.error}, expected ${expected}: ${result.text.slice(0, 2_000)}`);
  }
  return parseJson(result.text);
}

async function createIntegration(http: BenchHttpClient, target: CycleTarget): Promise<{ tenantUrl: string; secretToken: string }> {
  const created = await adminCall(http, target, '/integrations', { displayName: 'Bench', userProvisioning: 'matchOnly' }, 201);
  if (!isRecord(created) || typeof created.tenantUrl !== 'string' || typeof created.secretToken !== 'string') {
    throw new BenchSetupError(`POST /api/admin/integrations answered without tenantUrl/secretToken: ${JSON.stringify(created)}`);
  }
  return { tenantUrl: created.tenantUrl, secretToken: created.secretToken };
}

async function importUsers(http: BenchHttpClient, target: CycleTarget, names: readonly string[], chunk: number): Promise<void> {
  for (let at = 0; at < names.length; at += chunk) {
    const rows = names.slice(at, at + chunk).map((name, i) => ({ username: name, upn: name, displayName: `User ${at + i + 1}`, email: name }));
    const report = await adminCall(http, target, '/users', rows, 200);
    const rejected = isRecord(report) && Array.isArray(report.rejected) ? report.rejected : [];
    if (rejected.length > 0) throw new BenchSetupError(`the user import rejected ${rejected.length} rows, first: ${JSON.stringify(rejected[0])}`);
  }
}

/** Runs the whole cycle against `target` and returns the measurements (failures included, never thrown). */
export async function runEntraCycle(options: CycleOptions, target: CycleTarget): Promise<CycleSummary> {
  const progress = target.progress ?? (() => undefined);
  const concurrency = Math.max(1, options.concurrency);
  const rss = new RssSampler().start(100);
  const http = new BenchHttpClient(concurrency + 2);
  const failures = new FailureLog();
  try {
    const names = userNames(options.users);
    const integration = await createIntegration(http, target);
    const importStarted = performance.now();
    await importUsers(http, target, names, options.importChunk ?? 1_000);
    const importSeconds = (performance.now() - importStarted) / 1000;
    progress(`imported ${names.length} users in ${importSeconds.toFixed(2)} s`);

    const scim = new ScimDriver(http, integration.tenantUrl, integration.secretToken, failures);
    const phases: PhaseStats[] = [];
    const phase = async (name: string, body: (stats: PhaseStats) => Promise<void>): Promise<PhaseStats> => {
      const stats = new PhaseStats(name);
      phases.push(stats);
      progress(`${name}...`);
      const cpuBefore = await target.hostCpuMs?.();
      stats.begin();
      await body(stats);
      stats.end();
      const cpuAfter = await target.hostCpuMs?.();
      if (cpuBefore !== undefined && cpuAfter !== undefined) stats.hostCpuMs = cpuAfter - cpuBefore;
      return stats;
    };
    await target.measuredWindow?.start();

    // 0. Test Connection, as Entra does when the job starts: a random GUID as userName and as group displayName.
    await phase('test-connection', async (stats) => {
      await scim.call(stats, { method: 'GET', path: filterPath('Users', `userName eq "${randomUUID()}"`), accept: [200], check: listResponseWith(0) });
      await scim.call(stats, {
        method: 'GET',
        path: filterPath('Groups', `displayName eq "${randomUUID()}"`, { excludedAttributes: 'members' }),
        accept: [200],
        check: listResponseWith(0),
      });
    });

    // 1. Match every user by userName, in a different case than stored.
    const userIds: (string | undefined)[] = new Array<string | undefined>(names.length);
    const matchPhase = await phase('match-get', (stats) =>
      runPool(names, concurrency, async (name, i) => {
        const answer = await scim.call(stats, { method: 'GET', path: filterPath('Users', `userName eq "${name.toUpperCase()}"`), accept: [200], check: listResponseWith(1) });
        const resources = isRecord(answer?.body) ? answer.body.Resources : undefined;
        const first: unknown = Array.isArray(resources) ? resources[0] : undefined;
        userIds[i] = isRecord(first) && typeof first.id === 'string' ? first.id : undefined;
      }),
    );

    // The storage baseline, between SCIM phases (its time is not SCIM time).
    progress('raw storage reads...');
    const raw = await measureRawReads({
      connectionString: target.connectionString,
      concurrency,
      minReads: matchPhase.requests,
      minSeconds: options.rawReadMinSeconds ?? 3,
    });

    // 2. One attribute PATCH per matched user.
    await phase('user-patch', (stats) =>
      runPool(names, concurrency, async (name, i) => {
        const id = userIds[i];
        if (id === undefined) return;
        const displayName = `User ${i + 1} (Entra)`;
        const body = {
          schemas: [PATCH_OP],
          Operations: [
            { op: 'Replace', path: 'displayName', value: displayName },
            { op: 'Add', path: `${ENTERPRISE}:department`, value: `Dept ${(i % 50) + 1}` },
            { op: 'Replace', path: 'emails[type eq "work"].value', value: name.replace('@bench.example', '@mail.bench.example') },
          ],
        };
        const check = whenBody((resource) => (resource.displayName === displayName ? undefined : `displayName is ${JSON.stringify(resource.displayName)} after the PATCH`));
        await scim.call(stats, { method: 'PATCH', path: `/Users/${encodeURIComponent(id)}`, body, accept: [200, 204], check });
      }),
    );

    // 3. Groups: Entra's zero-result query by displayName, then the create.
    const groupNumbers = Array.from({ length: options.groups }, (_, g) => g + 1);
    const groupIds: (string | undefined)[] = new Array<string | undefined>(options.groups);
    await phase('group-create', (stats) =>
      runPool(groupNumbers, concurrency, async (n, g) => {
        const displayName = `Group ${n}`;
        const query = await scim.call(stats, {
          method: 'GET',
          path: filterPath('Groups', `displayName eq "${displayName}"`, { excludedAttributes: 'members' }),
          accept: [200],
          check: listResponseWith(0),
        });
        if (query === undefined) return;
        const created = await scim.call(stats, {
          method: 'POST',
          path: '/Groups',
          body: { schemas: [GROUP_SCHEMA], externalId: randomUUID(), displayName },
          accept: [201],
          check: (body) => (isRecord(body) && typeof body.id === 'string' && body.id !== '' ? undefined : 'the created group has no id'),
        });
        groupIds[g] = isRecord(created?.body) && typeof created.body.id === 'string' ? created.body.id : undefined;
      }),
    );

    // 4. Membership adds, up to `membersPerPatch` per PATCH; one group's PATCHes go in order, groups in parallel.
    const perPatch = Math.max(1, options.membersPerPatch ?? 100);
    const plan = planMemberships(options.users, options.groups, options.memberships);
    const fullAddMs: number[] = [];
    await phase('membership-add', (stats) =>
      runPool(plan, concurrency, async (members, g) => {
        const gid = groupIds[g];
        if (gid === undefined) return;
        const ids = members.map((u) => userIds[u]).filter((id): id is string => id !== undefined);
        for (let at = 0; at < ids.length; at += perPatch) {
          const value = ids.slice(at, at + perPatch).map((id) => ({ value: id }));
          const body = { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value }] };
          const answer = await scim.call(stats, { method: 'PATCH', path: `/Groups/${encodeURIComponent(gid)}`, body, accept: [204, 200] });
          if (answer !== undefined && value.length === perPatch) fullAddMs.push(answer.ms);
        }
      }),
    );
    progress(`batch writes of ${perPatch} entities...`);
    const batchWrite = await measureBatchWrites({ connectionString: target.connectionString, concurrency, entitiesPerBatch: perPatch });

    // 5. Disable a fraction of the users (Entra's default string boolean).
    await phase('disable', (stats) =>
      runPool(planDisables(options.users, options.disableFraction), concurrency, async (i) => {
        const id = userIds[i];
        if (id === undefined) return;
        const body = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };
        const check = whenBody((resource) => (resource.active === false ? undefined : `active is ${JSON.stringify(resource.active)} after the disable`));
        await scim.call(stats, { method: 'PATCH', path: `/Users/${encodeURIComponent(id)}`, body, accept: [200, 204], check });
      }),
    );

    await target.measuredWindow?.stop();

    // Wall time of the SCIM phases themselves (they run back to back; the raw read baseline between them is excluded).
    const scimSeconds = phases.reduce((total, p) => total + p.seconds, 0);
    const all = summarise('scim-total', phases.flatMap((p) => p.latencies), scimSeconds, failures.total);

    const matchGetsPerSecond = matchPhase.seconds > 0 ? matchPhase.requests / matchPhase.seconds : 0;
    const hostCpuMs = phases.every((p) => p.hostCpuMs !== undefined) ? phases.reduce((total, p) => total + (p.hostCpuMs ?? 0), 0) : undefined;
    const groupAddP50Ms = fullAddMs.length > 0 ? round(percentile(fullAddMs.sort((a, b) => a - b), 50), 1) : undefined;
    const groupAddToBatchRatio = groupAddP50Ms !== undefined && batchWrite.p50Ms > 0 ? round(groupAddP50Ms / batchWrite.p50Ms, 2) : undefined;

    return {
      requests: all.requests,
      seconds: round(all.seconds, 2),
      requestsPerSecond: round(all.requestsPerSecond, 1),
      p50Ms: all.p50Ms,
      p99Ms: all.p99Ms,
      rawStorageReadsPerSecond: round(raw.readsPerSecond, 1),
      matchGetsPerSecond: round(matchGetsPerSecond, 1),
      matchGetToRawReadRatio: round(raw.readsPerSecond > 0 ? matchGetsPerSecond / raw.readsPerSecond : 0, 3),
      matchGetsPerSecondSecondHalf: round(matchPhase.secondHalfRate(), 1),
      peakRssMb: round(rss.stop(), 1),
      ...(hostCpuMs === undefined || all.requests === 0 ? {} : { hostCpuMsPerRequest: round(hostCpuMs / all.requests, 2) }),
      ...(groupAddP50Ms === undefined ? {} : { groupAddP50Ms }),
      batchWrite,
      ...(groupAddToBatchRatio === undefined ? {} : { groupAddToBatchRatio }),
      importSeconds: round(importSeconds, 2),
      phases: [...phases.map((p) => p.summary()), { ...all, ...(hostCpuMs === undefined ? {} : { hostCpuMs: round(hostCpuMs, 1) }) }],
      raw,
      failureCount: failures.total,
      failures: failures.list(),
    };
  } finally {
    rss.stop();
    http.close();
  }
}
