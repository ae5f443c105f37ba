// Fault injection along a write path. A scenario builds a precondition once through the API and keeps its rows; each
// case puts them back, fails the k-th storage call of one request (fault-proxy.ts), checks the answer (a success, or
// a 5xx SCIM envelope / admin JSON error: never another 500), retries the same request until it settles, and compares
// every table row with a fault-free run's (fault-injection-state.ts). When rows differ, the state seen through the API
// (users, `userName eq` lookups, groups with members, admin user details) tells whether clients can see it.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { parseSettings } from '../../shared/config.js';
import { checkStorage, type ProblemKind } from '../../shared/maintenance/storage-checker.js';
import { SCIM_ERROR_SCHEMA } from '../../shared/scim/errors.js';
import { createServices, type Services, useServices } from '../../shared/services.js';
import { compareRows, differences, dumpRows, labelsOf, normalise, restoreRows, type Rows } from './fault-injection-state.js';
import { type FaultPlan, type FaultProxy, SDK_ATTEMPTS, startFaultProxy, type StorageFault } from './fault-proxy.js';
import { filterQuery, ScimClient, startTestHost, type TestHost } from './test-host.js';

export interface Answer {
  status: number;
  body: any;
}

export interface PathEnv {
  scim: ScimClient;
  /** Calls the admin API with a JSON body. */
  admin(method: string, path: string, body?: unknown): Promise<Answer>;
  /** Ids the precondition named (users, groups). */
  ids: Record<string, string>;
}

export interface WritePath {
  name: string;
  route: 'scim' | 'admin';
  send(env: PathEnv): Promise<Answer>;
  /**
   * Answers a retry may settle on besides 2xx: a create or delete that the faulted attempt already applied (409, 404).
   * They are acceptable answers to the faulted request too.
   */
  settledStatuses?: readonly number[];
  /** Whether a success really is one (an admin import answers 200 with its rejected rows). */
  succeeded?: (answer: Answer) => boolean;
  /** userNames whose `userName eq` lookups belong to the observed state, besides those of every listed user. */
  names?: readonly string[];
}

export interface FaultCase {
  fault: StorageFault;
  /** 'crash': every call from k on fails until the answer; 'call': one logical call (all SDK attempts) fails; 'once': one attempt. */
  span: 'crash' | 'call' | 'once';
  k: number;
}

export interface PathResult {
  /** Storage calls of the fault-free run, as "METHOD path". */
  calls: string[];
  cases: number;
  /** One line per case that answered wrongly, never settled, or left a state that differs from the fault-free run's. */
  problems: string[];
  /** Left-over hint rows (index rows, pointer key rows) that readers ignore: not corruption, but never cleaned up. */
  garbage: string[];
}

const MAX_RETRIES = 5;
/** Checker findings that are left-over hints readers verify before trusting (see compareRows): garbage, not corruption. */
const HINT_PROBLEMS = new Set<ProblemKind>(['stale-index-row', 'stale-key-row']);

export const describeCase = (c: FaultCase): string => `k=${c.k} ${c.fault}/${c.span}`;

/** "METHOD table" of a storage call: calls of one kind in a row (parallel index writes, member batches) form a run. */
function kindOf(call: string): string {
  const [method = '', ...rest] = call.split(' ');
  const table = /integrations|people|userindex|groups|members|attributes/.exec(rest.join(' '))?.[0] ?? rest.join(' ');
  return `${method} ${call.includes('/$batch') ? 'batch ' : ''}${table}`;
}

/** `FAULT_INJECTION=full` runs every fault at every chosen call; `npm test` runs the lighter plan (see planCases). */
export const THOROUGH = process.env.FAULT_INJECTION === 'full';

/**
 * The cases for a fault-free run's calls. The calls that matter are the first one, the last read before the first
 * write, and every call from the first write on, except that of a run of calls of one kind (parallel index writes,
 * member batches) only the first and the last are taken (and the second, in the thorough plan). Each fails as a
 * crash; each from the first write on also with a timeout (one attempt that is not retried: among parallel calls,
 * the only fault that fails exactly one of them). A write also fails after being applied (reset after forward, which
 * the SDK retries; timeout after forward, which it does not) and with a rarer fault (one logical call failing with
 * 500 on every SDK attempt, reset before forward, a single 503). The light plan alternates the two applied faults and
 * gives every third write a rare one; the thorough plan gives every write all of them.
 */
export function planCases(calls: readonly string[], thorough = THOROUGH): FaultCase[] {
  const isWrite = (call: string): boolean => !call.startsWith('GET ');
  const firstWrite = calls.findIndex(isWrite) + 1;
  const ks = new Set<number>([1]);
  if (firstWrite > 1) ks.add(firstWrite - 1);
  for (let k = Math.max(firstWrite, 1); k <= calls.length; k++) {
    const kind = kindOf(calls[k - 1] ?? '');
    const runStart = calls.slice(0, k - 1).findLastIndex((call) => kindOf(call) !== kind) + 2;
    const last = kindOf(calls[k] ?? '') !== kind;
    if (k === runStart || last || (thorough && k === runStart + 1)) ks.add(k);
  }
  const applied: Omit<FaultCase, 'k'>[] = [
    { fault: 'resetAfterForward', span: 'once' },
    { fault: 'timeoutAfterForward', span: 'once' },
  ];
  const rare: Omit<FaultCase, 'k'>[] = [
    { fault: 'serverError', span: 'call' },
    { fault: 'resetBeforeForward', span: 'call' },
    { fault: 'serverBusy', span: 'once' },
  ];
  const cases: FaultCase[] = [];
  let writes = 0;
  for (const k of [...ks].sort((a, b) => a - b)) {
    cases.push({ fault: 'serverError', span: 'crash', k });
    if (k >= firstWrite) cases.push({ fault: 'timeout', span: 'once', k });
    if (!isWrite(calls[k - 1] ?? '')) continue;
    const turn = writes++;
    if (thorough) cases.push(...[...applied, ...rare].map((c) => ({ ...c, k })));
    else {
      cases.push({ ...(applied[turn % applied.length] as Omit<FaultCase, 'k'>), k });
      if (turn % 3 === 0) cases.push({ ...(rare[(turn / 3) % rare.length] as Omit<FaultCase, 'k'>), k });
    }
  }
  return cases;
}

function planOf(c: FaultCase): FaultPlan {
  if (c.span === 'crash') return { fault: c.fault, first: c.k };
  return { fault: c.fault, first: c.k, count: c.span === 'call' ? SDK_ATTEMPTS : 1 };
}

interface Baseline {
  calls: string[];
  rows: Rows;
  api: unknown;
}

export class FaultScenario {
  /** The rows as the last case left them (undefined: unknown, read them before restoring). */
  private current: Rows | undefined;

  private constructor(
    private readonly proxy: FaultProxy,
    private readonly host: TestHost,
    private readonly tablePrefix: string,
    private readonly scim: ScimClient,
    private readonly integrationId: string,
    private readonly ids: Record<string, string>,
    private readonly snapshot: Rows,
  ) {
    this.current = snapshot;
  }

  /** Starts a host behind a fault proxy, creates an integration and builds the precondition through the API. */
  static async start(
    userProvisioning: 'matchOnly' | 'create',
    build: (env: PathEnv & { host: TestHost }) => Promise<Record<string, string>>,
  ): Promise<FaultScenario> {
    const proxy = await startFaultProxy(String(process.env.AzureWebJobsStorage));
    const tablePrefix = `f${randomBytes(6).toString('hex')}`;
    const host = await startTestHost({ connectionString: proxy.connectionString, tablePrefix, recordProvisioningLog: false });
    proxy.attach(host.services.tables);
    const integration = await host.createIntegration(userProvisioning);
    const scim = new ScimClient(integration.tenantUrl, integration.secretToken);
    const ids = await build({ scim, admin: adminCaller(host), ids: {}, host });
    const snapshot = await dumpRows(host.services.tables);
    return new FaultScenario(proxy, host, tablePrefix, scim, integration.id, ids, snapshot);
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.host.services.tables).map((table) => table.deleteTable()));
    await this.host.close();
    await this.proxy.close();
  }

  /** Runs every planned case of the path. */
  async run(path: WritePath, options: { skip?: (c: FaultCase) => boolean } = {}): Promise<PathResult> {
    const baseline = await this.baseline(path);
    const cases = planCases(baseline.calls).filter((c) => options.skip?.(c) !== true);
    const result: PathResult = { calls: baseline.calls, cases: cases.length, problems: [], garbage: [] };
    for (const c of cases) {
      const outcome = await this.runCase(path, c, baseline).catch((error: unknown) => ({ problem: `threw ${String(error)}`, garbage: [] }));
      if (outcome.problem !== undefined) result.problems.push(`${path.name} ${describeCase(c)}: ${outcome.problem}`);
      if (outcome.garbage.length > 0) result.garbage.push(`${path.name} ${describeCase(c)}: ${outcome.garbage.join(', ')}`);
    }
    return result;
  }

  private async baseline(path: WritePath): Promise<Baseline> {
    return this.inCase(async (services) => {
      const answer = await path.send(this.env());
      const calls = [...this.proxy.requests];
      if (!settled(path, answer)) throw new Error(`${path.name}: fault-free answer ${answer.status} ${JSON.stringify(answer.body)}`);
      const rows = await this.rowsAfterCase(services);
      const checked = await checkStorage(services.tables);
      if (checked.problemCount > 0) throw new Error(`${path.name}: the fault-free run leaves problems: ${JSON.stringify(checked.problems)}`);
      const labels = labelsOf(rows, this.integrationId);
      return { calls, rows: normalise(rows, labels), api: normalise(await this.observe(path), labels) };
    });
  }

  private async runCase(path: WritePath, c: FaultCase, baseline: Baseline): Promise<{ problem?: string; garbage: string[] }> {
    return this.inCase(async (services) => {
      this.proxy.arm(planOf(c));
      let answer: Answer;
      try {
        answer = await path.send(this.env());
      } finally {
        this.proxy.disarm();
      }
      if (this.proxy.faulted.length === 0) return { garbage: [] }; // this run made fewer calls: nothing failed
      const wrong = unacceptable(path, answer);
      if (wrong !== undefined) return { problem: `answered ${wrong}`, garbage: [] };
      for (let attempt = 0; !settled(path, answer); attempt++) {
        if (attempt === MAX_RETRIES) return { problem: `retries never settled: last ${answer.status} ${JSON.stringify(answer.body)}`, garbage: [] };
        answer = await path.send(this.env());
      }
      const rows = await this.rowsAfterCase(services);
      const labels = labelsOf(rows, this.integrationId);
      const { problems, garbage } = compareRows(normalise(rows, labels), baseline.rows);
      if (problems.length === 0) return { garbage };
      // What clients see of it, and what the storage checker makes of it (beyond left-over hints).
      const seen = differences(normalise(await this.observe(path), labels), baseline.api, 'api');
      const checked = (await checkStorage(services.tables)).problems.filter((problem) => !HINT_PROBLEMS.has(problem.kind));
      const findings = [seen ?? 'the API shows no difference', ...checked.slice(0, 4).map((problem) => `checker: ${problem.kind} ${problem.detail}`)];
      return { problem: [...findings, ...problems.slice(0, 4).map((p) => `rows: ${p}`)].join('; '), garbage };
    });
  }

  private env(): PathEnv {
    return { scim: this.scim, admin: adminCaller(this.host), ids: this.ids };
  }

  /** Puts the precondition back and serves the case from services of its own (empty caches), counting from call 1. */
  private async inCase<T>(work: (services: Services) => Promise<T>): Promise<T> {
    const tables = this.host.services.tables;
    await restoreRows(tables, this.current ?? (await dumpRows(tables)), this.snapshot);
    this.current = undefined;
    const services = await createServices(parseSettings({ AzureWebJobsStorage: this.proxy.connectionString }), { tablePrefix: this.tablePrefix, secrets: this.host.services.secrets, recordProvisioningLog: false });
    this.proxy.attach(services.tables);
    useServices(services);
    this.proxy.reset();
    try {
      return await work(services);
    } finally {
      this.proxy.disarm();
      useServices(this.host.services);
    }
  }

  private async rowsAfterCase(services: Services): Promise<Rows> {
    this.current = await dumpRows(services.tables);
    return this.current;
  }

  /** What the integration and the admin see: users, `userName eq` lookups, groups with members, admin user details. */
  private async observe(path: WritePath): Promise<unknown> {
    const users: any[] = (await this.scim.get('/Users?count=200')).body.Resources;
    const groups: any[] = (await this.scim.get('/Groups?count=200')).body.Resources;
    const admin = adminCaller(this.host);
    const cmUsers: any[] = (await admin('GET', '/users?pageSize=1000')).body.users;
    const details = await Promise.all(cmUsers.map(async (user) => (await admin('GET', `/users/${user.id}`)).body));
    const names = [...new Set([...users.map((u) => String(u.userName).toLowerCase()), ...(path.names ?? []).map((n) => n.toLowerCase())])].sort();
    const lookups: Record<string, string[]> = {};
    for (const name of names) lookups[name] = ((await this.scim.get(`/Users?${filterQuery(`userName eq "${name}"`)}`)).body.Resources as any[]).map((r) => String(r.id));
    const byText = (a: unknown, b: unknown): number => JSON.stringify(a).localeCompare(JSON.stringify(b));
    for (const group of groups) (group.members as unknown[] | undefined)?.sort(byText);
    return { users: users.sort(byText), lookups, groups: groups.sort(byText), cmUsers: cmUsers.sort(byText), details: details.sort(byText) };
  }
}

function adminCaller(host: TestHost): PathEnv['admin'] {
  return async (method, path, body) => {
    const response = await host.admin(path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // a non-JSON body stays text, so the check below can name it
    }
    return { status: response.status, body: parsed };
  };
}

const isSuccess = (answer: Answer): boolean => answer.status >= 200 && answer.status < 300;
const settled = (path: WritePath, answer: Answer): boolean =>
  (isSuccess(answer) && (path.succeeded?.(answer) ?? true)) || (path.settledStatuses ?? []).includes(answer.status);

/** Why the answer to a faulted request is wrong, or undefined: a success, or a 5xx in the route's error format. */
function unacceptable(path: WritePath, answer: Answer): string | undefined {
  if (isSuccess(answer) || (path.settledStatuses ?? []).includes(answer.status)) return undefined;
  const body = answer.body;
  const described = `${answer.status} ${typeof body === 'string' ? body : JSON.stringify(body)}`;
  if (answer.status < 500) return described;
  if (path.route === 'scim') {
    const ok = Array.isArray(body?.schemas) && body.schemas.includes(SCIM_ERROR_SCHEMA) && body.status === String(answer.status) && typeof body.detail === 'string';
    return ok ? undefined : `${described} (not a SCIM error envelope)`;
  }
  return typeof body?.error?.code === 'string' && typeof body?.error?.message === 'string' ? undefined : `${described} (not an admin JSON error)`;
}

export const SCIM_PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const PATH_TIMEOUT_MS = 180_000;

/**
 * One test per path. A path with a known product defect is skipped under a name that says which, so the suite stays
 * green until the fix lands (then the entry goes; FAULT_INJECTION_DEFECTS=run runs them to check a fix). FAULT_DEBUG=1
 * prints each path's calls, cases and garbage.
 */
export function pathTests(scenario: () => FaultScenario, paths: readonly WritePath[], knownDefects: Readonly<Record<string, string>> = {}): void {
  for (const path of paths) {
    const defect = knownDefects[path.name];
    const test = defect === undefined || process.env.FAULT_INJECTION_DEFECTS === 'run' ? it : it.skip;
    test(defect === undefined ? path.name : `${path.name} — known defect: ${defect}`, async () => {
      const result = await scenario().run(path);
      if (process.env.FAULT_DEBUG !== undefined) console.log(JSON.stringify(result, undefined, 1));
      expect(result.problems).toEqual([]);
    }, PATH_TIMEOUT_MS);
  }
}

/** For building preconditions: the answer, or an error naming what came back instead. */
export async function expectStatus(answer: Promise<Answer>, status: number): Promise<Answer> {
  const settled = await answer;
  if (settled.status !== status) throw new Error(`setup: ${settled.status} ${JSON.stringify(settled.body)}`);
  return settled;
}
