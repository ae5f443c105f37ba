// The live progress of `npm run sync`: one line from the run record (steps committed and still to do, users, groups,
// elapsed time), redrawn in place on a terminal, printed as separate lines (less often) when stderr is a file or pipe.
// No names or UPNs: counts only.
import type { SyncRunRecord } from '../shared/storage/sync-run-repository.js';

export interface ProgressWriter {
  /** How often the line is worth refreshing. */
  readonly intervalMs: number;
  update(line: string): void;
  /** After the last update. */
  end(): void;
}

function elapsed(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes === 0 ? `${(milliseconds / 1000).toFixed(1)} s` : `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}

export function progressLine(run: SyncRunRecord, elapsedMs: number): string {
  const count = (name: string): number => run.counters[name] ?? 0;
  return [
    `run ${run.runId} (${run.kind}${run.dryRun ? ', dry run' : ''}) ${run.status}`,
    `steps ${run.stepsCompleted} done, ${run.outstandingSteps} queued`,
    `users ${count('usersSeen')} seen, ${count('usersMatched')} matched, ${count('usersUnmatched')} unmatched`,
    `groups ${count('groupsSeen')} seen`,
    `memberships +${count('membershipsAdded')} -${count('membershipsRemoved')}`,
    `Graph requests ${count('graphRequests')}`,
    elapsed(elapsedMs),
  ].join(' · ');
}

export function terminalProgress(stream: NodeJS.WriteStream): ProgressWriter {
  if (stream.isTTY) {
    let drawn = false;
    return {
      intervalMs: 1000,
      update(line) {
        stream.write(`\r\x1b[K${line.slice(0, Math.max(20, (stream.columns || 120) - 1))}`);
        drawn = true;
      },
      end() {
        if (drawn) stream.write('\n');
      },
    };
  }
  return { intervalMs: 10_000, update: (line) => stream.write(`${line}\n`), end: () => undefined };
}
