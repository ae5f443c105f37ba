// Runs concurrent histories against the real local host: every history gets tables and integrations of its own, its
// rounds run their operations concurrently over HTTP with fast-check's scheduler choosing the order in which requests
// start and storage calls proceed, and the final state is read back through each integration's /Users and /Groups
// and the admin API.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type fc from 'fast-check';
import { parseSettings } from '../../shared/config.js';
import { LocalFileSecretStore } from '../../shared/secrets/local-file-secret-store.js';
import { createServices, useServices } from '../../shared/services.js';
import type { TableClients } from '../../shared/storage/table-clients.js';
import { dropTables } from './fresh-tables.js';
import {
  type Answer, byNameLine, cmLine, GROUP_NAMES, groupLine, type Integration, INTEGRATIONS, MODE_OF, type Op, type ResolvedOp, type Snapshot,
  USER_NAMES, userLine, USERNAMES,
} from './history-model.js';
import { filterQuery, ScimClient, type TestHost } from './test-host.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
/** A well-formed person id that names nobody, for operations on a pool that is still empty. */
const MISSING_USER_ID = `ff${'0'.repeat(30)}`;
const MISSING_GROUP_ID = '0'.repeat(32);
const GATED_METHODS = ['getEntity', 'createEntity', 'updateEntity', 'upsertEntity', 'deleteEntity', 'submitTransaction'] as const;

/** Lets the scheduler decide when each storage call proceeds while a round runs. */
class StorageGate {
  scheduler: fc.Scheduler | undefined;
  private arrived: (() => void) | undefined;

  async pass(label: string): Promise<void> {
    const scheduler = this.scheduler;
    if (scheduler === undefined) return;
    const passing = scheduler.schedule(Promise.resolve(), label);
    this.arrived?.();
    await passing;
  }

  /** Resolves when the next storage call arrives. */
  nextCall(): Promise<void> {
    return new Promise((resolve) => (this.arrived = resolve));
  }

  install(tables: TableClients): void {
    for (const [table, client] of Object.entries(tables)) {
      const methods = client as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
      for (const method of GATED_METHODS) {
        const original = methods[method]?.bind(client);
        if (original === undefined) continue;
        methods[method] = async (...args: unknown[]) => {
          await this.pass(`${table}.${method}`);
          return original(...args);
        };
      }
    }
  }
}

/** One history's world: fresh tables and three integrations, served by the shared host. */
export class HistoryWorld {
  readonly pools = { users: [] as string[], groups: [] as string[] };
  /** Answers that no SCIM client should ever see: 5xx, or an error without a SCIM envelope. */
  readonly protocolViolations: string[] = [];

  private constructor(
    private readonly host: TestHost,
    readonly tables: TableClients,
    private readonly scim: Record<Integration, ScimClient>,
    private readonly gate: StorageGate,
    private readonly secretsDir: string,
  ) {}

  static async open(host: TestHost): Promise<HistoryWorld> {
    const secretsDir = await mkdtemp(join(tmpdir(), 'history-secrets-'));
    const settings = parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage });
    const services = await createServices(settings, { tablePrefix: `h${randomBytes(6).toString('hex')}`, secrets: new LocalFileSecretStore(join(secretsDir, 'secrets.json')), recordProvisioningLog: false });
    const gate = new StorageGate();
    gate.install(services.tables);
    useServices(services);
    const scim = {} as Record<Integration, ScimClient>;
    await Promise.all(INTEGRATIONS.map(async (by) => {
      const created = await host.createIntegration(MODE_OF[by], `Integration ${by}`);
      scim[by] = new ScimClient(created.tenantUrl, created.secretToken);
    }));
    return new HistoryWorld(host, services.tables, scim, gate, secretsDir);
  }

  async close(): Promise<void> {
    useServices(this.host.services);
    await dropTables(this.tables);
    await rm(this.secretsDir, { recursive: true, force: true });
  }

  resolve(op: Op): ResolvedOp {
    const user = (i: number): string => this.pools.users[i % this.pools.users.length] ?? MISSING_USER_ID;
    const group = (i: number): string => this.pools.groups[i % this.pools.groups.length] ?? MISSING_GROUP_ID;
    const name = (i: number): string => USER_NAMES[i % USER_NAMES.length] as string;
    switch (op.kind) {
      case 'userPost':
        return { kind: op.kind, by: op.by, userName: op.upper ? name(op.name).toUpperCase() : name(op.name) };
      case 'userRename':
        return { kind: op.kind, by: op.by, id: user(op.user), userName: name(op.name), put: op.put };
      case 'userDelete':
        return { kind: op.kind, by: op.by, id: user(op.user) };
      case 'import':
        return { kind: op.kind, username: USERNAMES[op.username % USERNAMES.length] as string, upn: op.upper ? name(op.upn).toUpperCase() : name(op.upn) };
      case 'groupPost':
        return { kind: op.kind, by: op.by, displayName: GROUP_NAMES[op.name % GROUP_NAMES.length] as string, members: [...new Set(op.members.map(user))] };
      case 'groupMembers':
        return { kind: op.kind, by: op.by, id: group(op.group), members: [...new Set(op.members.map(user))], remove: op.remove };
      case 'groupRename':
        return { kind: op.kind, by: op.by, id: group(op.group), displayName: GROUP_NAMES[op.name % GROUP_NAMES.length] as string };
      case 'groupDelete':
        return { kind: op.kind, by: op.by, id: group(op.group) };
    }
  }

  /** Runs the round's operations concurrently; the scheduler orders their starts and their storage calls. */
  async runRound(scheduler: fc.Scheduler, ops: ResolvedOp[]): Promise<Answer[]> {
    this.gate.scheduler = scheduler;
    let done = false;
    const all = Promise.all(ops.map(async (op, i) => {
      await scheduler.schedule(Promise.resolve(), `start ${i}`);
      return this.execute(op);
    })).finally(() => (done = true));
    try {
      while (!done) {
        if (scheduler.count() === 0) await Promise.race([all, this.gate.nextCall()]);
        await new Promise((resolve) => setImmediate(resolve)); // let calls that are ready together queue up
        if (scheduler.count() > 0) await scheduler.waitNext(1);
      }
    } finally {
      this.gate.scheduler = undefined;
    }
    const answers = await all;
    for (const [i, op] of ops.entries()) this.remember(op, answers[i] as Answer);
    return answers;
  }

  private remember(op: ResolvedOp, answer: Answer): void {
    if (answer.id === undefined) return;
    const pool = op.kind === 'groupPost' ? this.pools.groups : this.pools.users;
    if (!pool.includes(answer.id)) pool.push(answer.id);
  }

  private async execute(op: ResolvedOp): Promise<Answer> {
    try {
      if (op.kind === 'import') return await this.importRow(op.username, op.upn);
      const scim = this.scim[op.by];
      const patch = (path: string, operations: unknown[]) => scim.patch(path, { schemas: [PATCH_OP], Operations: operations });
      const response = await (() => {
        switch (op.kind) {
          case 'userPost':
            return scim.post('/Users', { userName: op.userName, active: true });
          case 'userRename':
            return op.put ? scim.put(`/Users/${op.id}`, { userName: op.userName, active: true }) : patch(`/Users/${op.id}`, [{ op: 'replace', path: 'userName', value: op.userName }]);
          case 'userDelete':
            return scim.delete(`/Users/${op.id}`);
          case 'groupPost':
            return scim.post('/Groups', { displayName: op.displayName, members: op.members.map((value) => ({ value })) });
          case 'groupMembers':
            return op.remove
              ? patch(`/Groups/${op.id}`, op.members.map((value) => ({ op: 'remove', path: `members[value eq "${value}"]` })))
              : patch(`/Groups/${op.id}`, [{ op: 'add', path: 'members', value: op.members.map((value) => ({ value })) }]);
          case 'groupRename':
            return patch(`/Groups/${op.id}`, [{ op: 'replace', path: 'displayName', value: op.displayName }]);
          case 'groupDelete':
            return scim.delete(`/Groups/${op.id}`);
        }
      })();
      const body = response.body as { id?: unknown; detail?: unknown; schemas?: unknown } | undefined;
      if (response.status >= 500 || (response.status >= 400 && !(Array.isArray(body?.schemas) && body.schemas.includes(ERROR_SCHEMA)))) {
        this.protocolViolations.push(`${describeOp(op)} answered ${response.status} ${JSON.stringify(body)}`);
      }
      const answer: Answer = { status: response.status };
      if (response.status === 201 && typeof body?.id === 'string') answer.id = body.id;
      if (typeof body?.detail === 'string') answer.detail = body.detail;
      return answer;
    } catch (error) {
      this.protocolViolations.push(`${describeOp(op)} failed: ${String(error)}`);
      return { status: -1, detail: String(error) };
    }
  }

  private async importRow(username: string, upn: string): Promise<Answer> {
    const response = await this.host.admin('/users', { method: 'POST', body: JSON.stringify([{ username, upn }]), headers: { 'content-type': 'application/json' } });
    const text = await response.text();
    if (response.status !== 200) {
      this.protocolViolations.push(`import ${username} ${upn} answered ${response.status} ${text}`);
      return { status: response.status, detail: text };
    }
    const report = JSON.parse(text) as { results: { id: string; outcome: string }[]; rejected: { reason: string }[] };
    const [result] = report.results;
    if (result !== undefined) return { status: 200, id: result.id, outcome: result.outcome };
    return { status: 200, outcome: 'rejected', detail: report.rejected[0]?.reason ?? '' };
  }

  /** The final state as the integrations and the admin API show it. */
  async observe(): Promise<Snapshot> {
    const read = async (by: Integration | 'admin', path: string): Promise<any> => {
      const response = by === 'admin' ? await this.host.admin(path) : await this.scim[by].get(path);
      const body = by === 'admin' ? await (response as Response).json() : (response as { body: unknown }).body;
      if (response.status !== 200) throw new Error(`GET ${path} as ${by} answered ${response.status} ${JSON.stringify(body)}`);
      return body;
    };
    const snapshot: Snapshot = { users: { A: [], B: [], C: [] }, byUserName: { A: [], B: [], C: [] }, contentManager: [], groups: { A: [], B: [], C: [] } };
    const reads = INTEGRATIONS.map(async (by) => {
      const users = (await read(by, '/Users?count=200')).Resources as { id: string; userName: string }[];
      snapshot.users[by] = users.map((u) => userLine(u.id, u.userName)).sort();
      snapshot.byUserName[by] = await Promise.all(USER_NAMES.map(async (name) => {
        const found = (await read(by, `/Users?${filterQuery(`userName eq "${name.toUpperCase()}"`)}`)).Resources as { id: string }[];
        return byNameLine(name, found.map((u) => u.id));
      }));
      const groups = (await read(by, '/Groups?count=200')).Resources as { id: string; displayName: string; members?: { value: string }[] }[];
      snapshot.groups[by] = groups.map((g) => groupLine(g.id, g.displayName, (g.members ?? []).map((m) => m.value))).sort();
    });
    const cm = (await read('admin', '/users?pageSize=1000')).users as { id: string; username: string; upn: string }[];
    snapshot.contentManager = cm.map((u) => cmLine(u.id, u.username, u.upn)).sort();
    await Promise.all(reads);
    return snapshot;
  }
}

export function describeOp(op: ResolvedOp): string {
  const { kind, ...rest } = op;
  return `${kind} ${JSON.stringify(rest)}`;
}
