// The measured half of the audience bench, in a process of its own: like a Function instance that answers
// resolutions, it builds its own services against the seeded storage, so its resident memory is what resolving needs
// (not the seeding's heap and caches). Each round reads every audience's index rows straight from storage
// (audience-raw-read.ts) and resolves it, alternating which goes first so neither always inherits the other's
// garbage; round 0 warms both paths and is not counted. The RSS is sampled every RSS_SAMPLE_MS while resolving.
import { fork } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseSettings } from '../shared/config.js';
import type { AudienceCondition } from '../shared/directory/targeting/audience-resolver.js';
import { LocalFileSecretStore } from '../shared/secrets/local-file-secret-store.js';
import { createServices } from '../shared/services.js';
import { readIndexRows } from './audience-raw-read.js';
import { costCenter, department, type Seeded } from './audience-seed.js';
import { RssSampler } from './stats.js';

const RSS_SAMPLE_MS = 20;
const PAGE_SIZE = 50;

export interface ResolvePhaseInput {
  connectionString: string;
  secretStorePath: string;
  seeded: Seeded;
  repeats: number;
}

export interface AudienceMeasurement {
  name: string;
  total: number;
  indexRows: number;
  resolveMs: number[];
  rawReadMs: number[];
}

export interface ResolvePhaseResult {
  audiences: AudienceMeasurement[];
  peakRssMb: number;
}

export function benchAudiences(seeded: Seeded): { name: string; condition: AudienceCondition }[] {
  const group: AudienceCondition = { kind: 'group', integrationId: seeded.integrationId, groupId: seeded.largeGroup };
  const inDepartment: AudienceCondition = { kind: 'attribute', attributeId: seeded.departmentId, match: { kind: 'equals', value: department(10) } };
  const costCenters = Array.from({ length: 20 }, (_, i) => costCenter(i));
  return [
    { name: 'one large group', condition: group },
    { name: 'group and attribute', condition: { kind: 'and', conditions: [group, inDepartment] } },
    { name: 'one of 20 values', condition: { kind: 'attribute', attributeId: seeded.costCenterId, match: { kind: 'oneOf', values: costCenters } } },
  ];
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

async function measure(input: ResolvePhaseInput): Promise<ResolvePhaseResult> {
  const settings = parseSettings({ AzureWebJobsStorage: input.connectionString });
  const all = await createServices(settings, { secrets: new LocalFileSecretStore(input.secretStorePath), recordProvisioningLog: false });
  const audiences = benchAudiences(input.seeded).map((audience) => ({ ...audience, total: 0, indexRows: 0, resolveMs: [] as number[], rawReadMs: [] as number[] }));
  global.gc?.();
  const rss = new RssSampler().start(RSS_SAMPLE_MS);
  for (let round = 0; round <= input.repeats; round++) {
    for (const audience of audiences) {
      const raw = () => timed(() => readIndexRows(all.tables, audience.condition));
      const resolve = () => timed(() => all.audiences.resolve(audience.condition, { pageSize: PAGE_SIZE }));
      const rawFirst = round % 2 === 0;
      const first = rawFirst ? await raw() : await resolve();
      const second = rawFirst ? await resolve() : await raw();
      const [rows, page] = rawFirst ? [first, second] : [second, first];
      if (round === 0) {
        audience.indexRows = rows.value as number;
        audience.total = (page.value as { total: number }).total;
        continue;
      }
      audience.rawReadMs.push(rows.ms);
      audience.resolveMs.push(page.ms);
    }
  }
  const peakRssMb = rss.stop();
  return { audiences: audiences.map(({ condition: _condition, ...measured }) => measured), peakRssMb };
}

/** Runs the phase in a child process (with --expose-gc when the bench has it) and answers its measurements. */
export async function runResolvePhase(input: ResolvePhaseInput): Promise<ResolvePhaseResult> {
  const child = fork(fileURLToPath(import.meta.url), ['--resolve-phase'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.send(input);
  return new Promise<ResolvePhaseResult>((resolve, reject) => {
    child.once('message', (message) => {
      const answer = message as { result?: ResolvePhaseResult; error?: string };
      if (answer.result === undefined) reject(new Error(`resolve phase failed: ${answer.error ?? 'no answer'}`));
      else resolve(answer.result);
    });
    child.once('exit', (code) => reject(new Error(`resolve phase exited with code ${code}`)));
  });
}

if (process.argv.includes('--resolve-phase') && process.send !== undefined) {
  process.once('message', (input: ResolvePhaseInput) => {
    measure(input).then(
      (result) => process.send?.({ result }, () => process.exit(0)),
      (error: unknown) => process.send?.({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () => process.exit(1)),
    );
  });
}
