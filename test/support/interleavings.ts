// Runs concurrent operations in a chosen interleaving of their storage calls, so a race test can try every order of
// two writers' calls instead of whichever order the event loop happens to pick. Each operation gets its own view of a
// real TableClient (the calls still go to Azurite); a call waits at a gate until the schedule gives its operation the
// turn, runs alone, and only when it has completed does the next call go. A schedule is a list of operation indexes;
// where it runs out, or names an operation that has no call waiting, the lowest-numbered waiting operation goes.
import type { TableClient } from '@azure/data-tables';

const GATED = new Set(['submitTransaction', 'getEntity', 'createEntity', 'upsertEntity', 'updateEntity', 'deleteEntity', 'listEntities']);

interface Waiter {
  operation: number;
  go: () => void;
}

/** Lets every operation run on until it waits at a gate or ends (their work between calls is promise jobs only). */
async function settleTicks(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
}

export class Interleaving {
  private readonly waiting: Waiter[] = [];
  private position = 0;
  /** Operation index of each call, in the order the calls ran. */
  readonly trace: number[] = [];

  constructor(private readonly schedule: readonly number[]) {}

  /** The table as operation `operation` sees it: every call (each page of a listing) waits for its turn. */
  clientFor(table: TableClient, operation: number): TableClient {
    return new Proxy(table, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || !GATED.has(String(property))) return value;
        const method = value as (...args: unknown[]) => unknown;
        if (property === 'listEntities') {
          return (...args: unknown[]) => {
            const listing = method.apply(target, args) as AsyncIterableIterator<unknown> & { byPage: (settings?: unknown) => AsyncIterableIterator<unknown> };
            return Object.assign(this.gatedIterator(operation, listing), {
              byPage: (settings?: unknown) => this.gatedIterator(operation, listing.byPage(settings)),
            });
          };
        }
        return (...args: unknown[]) => this.step(operation, () => method.apply(target, args) as Promise<unknown>);
      },
    });
  }

  /** Runs the operations to the end under the schedule. */
  async run(operations: (() => Promise<unknown>)[]): Promise<PromiseSettledResult<unknown>[]> {
    let done = 0;
    const results = operations.map((operation) =>
      operation().finally(() => {
        done++;
      }),
    );
    while (done < operations.length) {
      await settleTicks();
      const next = this.pick();
      if (next === undefined) continue;
      this.trace.push(next.operation);
      await new Promise<void>((resolve) => {
        this.stepDone = resolve;
        next.go();
      });
    }
    return Promise.allSettled(results);
  }

  private stepDone: (() => void) | undefined;

  private pick(): Waiter | undefined {
    if (this.waiting.length === 0) return undefined;
    const wanted = this.schedule[this.position++];
    let chosen = this.waiting.findIndex((waiter) => waiter.operation === wanted);
    if (chosen < 0) chosen = this.waiting.reduce((best, waiter, i) => (waiter.operation < (this.waiting[best]?.operation ?? Infinity) ? i : best), 0);
    return this.waiting.splice(chosen, 1)[0];
  }

  /** One storage call of the operation: waits for its turn, runs, then lets the scheduler go on. */
  private async step<T>(operation: number, call: () => Promise<T>): Promise<T> {
    await new Promise<void>((resolve) => {
      this.waiting.push({ operation, go: resolve });
    });
    try {
      return await call();
    } finally {
      const done = this.stepDone;
      this.stepDone = undefined;
      done?.();
    }
  }

  private gatedIterator<T>(operation: number, inner: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
    const iterator: AsyncIterableIterator<T> = {
      next: () => this.step(operation, () => inner.next()),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}

/** Every schedule that places `second` calls of operation 1 among `length` calls (the rest are operation 0's). */
export function placements(length: number, second: number): number[][] {
  if (second === 0) return [Array.from({ length }, () => 0)];
  if (length === second) return [Array.from({ length }, () => 1)];
  return [...placements(length - 1, second).map((rest) => [0, ...rest]), ...placements(length - 1, second - 1).map((rest) => [1, ...rest])];
}

/**
 * Schedules of two operations: each operation's calls as one block after every prefix of the other's (`calls[i]`:
 * operation i's calls when they run one after the other), both ways round, then `seeds` seeded shuffles.
 */
export function blockSchedules(calls: readonly [number, number], seeds: number): number[][] {
  const block = (first: 0 | 1, prefix: number): number[] => [...Array.from({ length: prefix }, () => first), ...Array.from({ length: 64 }, () => 1 - first)];
  const blocks = ([0, 1] as const).flatMap((first) => Array.from({ length: calls[first] + 1 }, (_, prefix) => block(first, prefix)));
  return [...blocks, ...shuffledSchedules(2, calls[0] + calls[1], seeds)];
}

/** `seeds` deterministic pseudo-random schedules of `length` calls among `operations` operations. */
export function shuffledSchedules(operations: number, length: number, seeds: number): number[][] {
  return Array.from({ length: seeds }, (_, seed) => {
    let state = seed + 1;
    return Array.from({ length }, () => {
      state = (state * 1103515245 + 12345) % 2 ** 31;
      // The high bits: an LCG's low bits repeat with a short period (the lowest alternates).
      return Math.floor(state / 2 ** 16) % operations;
    });
  });
}
