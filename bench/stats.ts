// Measurement helpers for the benchmark: per-phase latency recording, nearest-rank percentiles, a bounded worker
// pool and a resident-set-size sampler.
import { performance } from 'node:perf_hooks';

/** Nearest-rank percentile of `sorted` (ascending); 0 for an empty list. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

export function round(value: number, decimals: number): number {
  if (!Number.isFinite(value)) return 0;
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export interface PhaseSummary {
  name: string;
  requests: number;
  failures: number;
  seconds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** CPU time the host used during the phase (ms), when the bench could read it. */
  hostCpuMs?: number;
}

/** Latencies and wall time of one phase; `begin()`/`end()` bracket the phase. */
export class PhaseStats {
  readonly latencies: number[] = [];
  /** performance.now() at each completion, in completion order. */
  private readonly completions: number[] = [];
  failures = 0;
  /** Set by the cycle when it can read the host's CPU time. */
  hostCpuMs: number | undefined;
  private startedAt = 0;
  private endedAt = 0;

  constructor(readonly name: string) {}

  begin(): this {
    this.startedAt = performance.now();
    return this;
  }

  end(): this {
    this.endedAt = performance.now();
    return this;
  }

  record(ms: number): void {
    this.latencies.push(ms);
    this.completions.push(performance.now());
  }

  /** Completions per second over the second half of the phase's completions (past the JIT/cache warm-up). */
  secondHalfRate(): number {
    const half = Math.floor(this.completions.length / 2);
    const from = this.completions[half - 1];
    const to = this.completions[this.completions.length - 1];
    if (half < 1 || from === undefined || to === undefined || to <= from) return 0;
    return (this.completions.length - half) / ((to - from) / 1000);
  }

  get requests(): number {
    return this.latencies.length;
  }

  get seconds(): number {
    return Math.max(0, this.endedAt - this.startedAt) / 1000;
  }

  summary(): PhaseSummary {
    const summary = summarise(this.name, this.latencies, this.seconds, this.failures);
    return this.hostCpuMs === undefined ? summary : { ...summary, hostCpuMs: round(this.hostCpuMs, 1) };
  }
}

export function summarise(name: string, latencies: readonly number[], seconds: number, failures: number): PhaseSummary {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    failures,
    seconds: round(seconds, 3),
    requestsPerSecond: round(seconds > 0 ? latencies.length / seconds : 0, 1),
    p50Ms: round(percentile(sorted, 50), 1),
    p99Ms: round(percentile(sorted, 99), 1),
  };
}

/** Runs `work` over `items` with at most `concurrency` in flight; resolves when all are done. */
export async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const index = next++;
      if (index >= items.length) return;
      await work(items[index] as T, index);
    }
  };
  const workers = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
}

/** Samples process RSS every `intervalMs` (and on demand) and keeps the peak. */
export class RssSampler {
  private peakBytes = process.memoryUsage.rss();
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 100): this {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  sample(): void {
    this.peakBytes = Math.max(this.peakBytes, process.memoryUsage.rss());
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.sample();
    return this.peakBytes / (1024 * 1024);
  }
}
