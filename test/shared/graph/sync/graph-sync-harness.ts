// The Graph sync end to end for tests: the real planner on the real run machinery (admin route, queue on Azurite,
// queue function run by the local queue host), the real Graph client and credential against the Graph fake (msw),
// and the directory's services of a fresh test host. A clock the test moves; Graph waits recorded, never slept.
import { afterAll, beforeAll, expect } from 'vitest';
import type { ImportRow } from '../../../../shared/directory/user-import-parser.js';
import { GraphSyncPlanner, type GraphSyncPlannerOptions } from '../../../../shared/graph/sync/graph-sync-planner.js';
import { graphSyncDependencies } from '../../../../shared/graph/sync/install.js';
import { services } from '../../../../shared/services.js';
import type { SyncStepHandler } from '../../../../shared/sync-runs/step-handler.js';
import { type GraphFake, startGraphFake } from '../../../support/graph-fake/graph-fake.js';
import type { GraphFakeOptions } from '../../../support/graph-fake/graph-routes.js';
import { sampleTenant, type SampleTenant } from '../../../support/graph-fake/sample-tenant.js';
import { startSyncHarness, type SyncHarness } from '../../../support/sync-run-harness.js';

export interface GraphSyncTest {
  readonly harness: SyncHarness;
  readonly fake: GraphFake;
  readonly sample: SampleTenant;
  readonly planner: GraphSyncPlanner;
  /** Moves the planner's and the runs' clock. */
  advance(milliseconds: number): void;
  createIntegration(settings?: Record<string, unknown>): Promise<string>;
  importUsers(rows: Omit<ImportRow, 'row'>[]): Promise<void>;
  /** Starts a run through the admin route, drains the queue, answers the run report. */
  run(integrationId: string, body?: Record<string, unknown>): Promise<RunReport>;
  snapshot(integrationId: string): Promise<DirectorySnapshot>;
  close(): Promise<void>;
}

export interface RunReport {
  id: string;
  kind: 'full' | 'delta';
  dryRun: boolean;
  status: string;
  counts: Record<string, number>;
  samples: { unmatchedUsers?: string[]; changes?: string[] };
  errors: { message: string }[];
  failureReason: string | null;
}

/** What an integration holds, by names rather than ids: groups with their members' UPNs, documents by UPN, catalog. */
export interface DirectorySnapshot {
  groups: Record<string, { enabled: boolean; externalId: string | undefined; members: string[] }>;
  documents: Record<string, Record<string, unknown>>;
  catalog: string[];
}

export interface GraphSyncTestOptions {
  readonly fake?: Partial<GraphFakeOptions>;
  readonly planner?: GraphSyncPlannerOptions;
  /** Wraps the planner (e.g. to kill steps after their writes). */
  readonly wrap?: (planner: SyncStepHandler) => SyncStepHandler;
}

/** A test of whole runs through the queue: several runs of a few dozen steps each, on a machine others share. */
export const E2E_TIMEOUT_MS = 180_000;

export const SAMPLE_UPNS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace'].map((name) => `${name}@contoso.example`);

/**
 * A Graph sync test for the file's tests: started before them with these Content Manager users imported (names of
 * the sample tenant's users), closed after them. Call the answer inside a test.
 */
export function useGraphSyncTest(contentManagerUsers: readonly string[]): () => GraphSyncTest {
  let test: GraphSyncTest | undefined;
  beforeAll(async () => {
    test = await startGraphSyncTest();
    await test.importUsers(sampleContentManagerUsers(contentManagerUsers));
  });
  afterAll(async () => {
    await test?.close();
  });
  return () => {
    if (test === undefined) throw new Error('the Graph sync test has not started');
    return test;
  };
}

export async function startGraphSyncTest(options: GraphSyncTestOptions = {}): Promise<GraphSyncTest> {
  let clock = new Date('2026-12-02T02:00:00Z');
  const now = (): Date => clock;
  const sample = sampleTenant();
  const fake = startGraphFake({ tenant: sample.tenant, fake: { pageSize: 2, deltaPageSize: 3, memberLinksPerEntry: 2, ...options.fake } });
  const planner = new GraphSyncPlanner(async () => graphSyncDependencies(await services()), {
    now,
    client: { sleep: () => Promise.resolve(), random: () => 0.5 },
    ...options.planner,
  });
  const harness = await startSyncHarness({ handler: options.wrap?.(planner) ?? planner, now });
  const { host } = harness;
  let rowNumber = 0;
  return {
    harness,
    fake,
    sample,
    planner,
    advance(milliseconds) {
      clock = new Date(clock.getTime() + milliseconds);
    },
    async createIntegration(settings = {}) {
      const graph = { tenantId: sample.tenant.tenantId, clientId: sample.tenant.app.clientId, clientSecret: sample.tenant.app.clientSecret, groupSelection: { mode: 'displayNamePrefixes', prefixes: ['COMMS-'] }, ...settings };
      const response = await host.admin('/integrations', { method: 'POST', body: JSON.stringify({ displayName: 'Graph', method: 'graph', graph }), headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(201);
      return ((await response.json()) as { id: string }).id;
    },
    async importUsers(rows) {
      const report = await host.services.contentManagerUsers.import(rows.map((row) => ({ ...row, row: ++rowNumber })), []);
      expect(report.rejected).toEqual([]);
    },
    async run(integrationId, body = {}) {
      const response = await host.admin(`/integrations/${integrationId}/sync-runs`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(202);
      const { id } = (await response.json()) as { id: string };
      await harness.queues.drain();
      return (await host.adminJson(`/integrations/${integrationId}/sync-runs/${id}`)) as RunReport;
    },
    async snapshot(integrationId) {
      const all = host.services;
      const upnOf = new Map<string, string>();
      const documents: DirectorySnapshot['documents'] = {};
      for await (const { person } of all.people.scan(undefined)) {
        if (person.cm !== undefined) upnOf.set(person.id, person.cm.upn);
        const source = person.sources[integrationId];
        if (source !== undefined && source.deleted !== true) documents[person.cm?.upn ?? person.id] = source.doc;
      }
      const groups: DirectorySnapshot['groups'] = {};
      for await (const group of all.groups.list(integrationId)) {
        const members: string[] = [];
        for await (const rows of all.groups.members(integrationId, group.id)) members.push(...rows.map((row) => upnOf.get(row.value) ?? row.value));
        groups[group.displayName] = { enabled: group.enabled, externalId: group.externalId, members: members.sort() };
      }
      const catalog = (await all.catalog.list(integrationId)).map((entry) => `${entry.path}:${entry.type}`).sort();
      return { groups, documents, catalog };
    },
    async close() {
      fake.close();
      await harness.close();
    },
  };
}

/** Content Manager users for the sample tenant's people, known by their UPN (a username of their own). */
export const sampleContentManagerUsers = (names: readonly string[]): Omit<ImportRow, 'row'>[] =>
  names.map((name) => ({ username: `cm-${name}`, upn: `${name}@contoso.example`, email: `${name}@cm.example` }));
