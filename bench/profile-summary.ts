// `node dist/bench/profile-summary.js <file.cpuprofile> [--top N]`: what a CPU profile (the bench's --cpu-prof, or
// node --cpu-prof) spent its time on, as text for docs/performance.md: busy time (samples that are not idle), the
// functions with the most self time, and per module (a package under node_modules, a file of this project, or Node's
// own code) its self time and its inclusive time (samples with the module anywhere on the stack, counted once each).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CostRow {
  name: string;
  ms: number;
  /** Share of the busy time, in percent. */
  percent: number;
}

export interface ProfileSummary {
  busyMs: number;
  idleMs: number;
  selfByFunction: CostRow[];
  selfByModule: CostRow[];
  inclusiveByModule: CostRow[];
}

/** Samples of these pseudo-frames are not work of the process. */
const IDLE_FRAMES = new Set(['(idle)', '(program)']);

/**
 * `node_modules/@azure/core-rest-pipeline/…` → `@azure/core-rest-pipeline`; a project file → its path from the root;
 * Node's own code by file (`node:_http_client` is the storage calls' HTTP, `node:_http_server` the incoming requests').
 */
export function moduleOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return url.replace(/^node:internal\//, 'node:'); // node:_http_client, node:net, …
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch?.[1] !== undefined) return packageMatch[1];
  const projectMatch = /\/dist\/(.+)$/.exec(url) ?? /\/((?:shared|local|functions|bench)\/.+)$/.exec(url);
  return projectMatch?.[1]?.replace(/\.js$/, '') ?? url;
}

function top(costs: Map<string, number>, busyMs: number, count: number): CostRow[] {
  return [...costs.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, ms]) => ({ name, ms: Math.round(ms), percent: busyMs > 0 ? Math.round((ms / busyMs) * 1000) / 10 : 0 }));
}

export function summariseProfile(profile: CpuProfile, count = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackModules = new Map<number, Set<string>>();
  const modulesOnStack = (id: number): Set<string> => {
    const known = stackModules.get(id);
    if (known !== undefined) return known;
    const node = byId.get(id);
    const up = parent.get(id);
    const modules = new Set(up === undefined ? [] : modulesOnStack(up));
    if (node !== undefined) modules.add(moduleOf(node.callFrame));
    stackModules.set(id, modules);
    return modules;
  };

  const selfByFunction = new Map<string, number>();
  const selfByModule = new Map<string, number>();
  const inclusiveByModule = new Map<string, number>();
  let busyMs = 0;
  let idleMs = 0;
  profile.samples.forEach((id, i) => {
    // A sample lasts until the next one; the last one as long as the one before.
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    if (IDLE_FRAMES.has(frame.functionName) && frame.url === '') {
      idleMs += ms;
      return;
    }
    busyMs += ms;
    const module = moduleOf(frame);
    const name = `${frame.functionName || '(anonymous)'} ${module}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}`;
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + ms);
    selfByModule.set(module, (selfByModule.get(module) ?? 0) + ms);
    for (const onStack of modulesOnStack(id)) inclusiveByModule.set(onStack, (inclusiveByModule.get(onStack) ?? 0) + ms);
  });
  return {
    busyMs: Math.round(busyMs),
    idleMs: Math.round(idleMs),
    selfByFunction: top(selfByFunction, busyMs, count),
    selfByModule: top(selfByModule, busyMs, count),
    inclusiveByModule: top(inclusiveByModule, busyMs, count),
  };
}

function table(title: string, rows: readonly CostRow[]): string {
  const lines = rows.map((row) => `| ${row.name} | ${row.ms} | ${row.percent} |`);
  return [`| ${title} | ms | % of busy |`, '| --- | ---: | ---: |', ...lines].join('\n');
}

export function formatProfileSummary(summary: ProfileSummary): string {
  return [
    `busy ${summary.busyMs} ms, idle ${summary.idleMs} ms`,
    table('self time, by function', summary.selfByFunction),
    table('self time, by module', summary.selfByModule),
    table('inclusive time, by module', summary.inclusiveByModule),
  ].join('\n\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { top: { type: 'string' } }, allowPositionals: true });
  const file = positionals[0];
  if (file === undefined) {
    console.error('usage: profile-summary <file.cpuprofile> [--top N]');
    process.exitCode = 2;
    return;
  }
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  console.log(formatProfileSummary(summariseProfile(profile, values.top === undefined ? 15 : Number(values.top))));
}

if (process.argv[1]?.endsWith('profile-summary.js') === true) await main();
