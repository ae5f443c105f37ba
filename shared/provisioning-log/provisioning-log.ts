// The provisioning log of the process: records entries without holding up the request that made them, reads pages of
// one integration's log, and prunes the days past retention.
//
// Recording is buffered and best-effort, by design: `record` puts the entry in a bounded in-memory buffer and returns;
// the buffer is written in the background (on the next turn of the event loop, after the answer has gone out), as
// entity-group transactions of up to 50 entries per day and integration, one write round at a time, entries of many
// concurrent requests together. So a SCIM write gains no storage round trip on its critical path, and a busy instance
// writes its log in few transactions. The trade-off, accepted: an entry is lost when its instance dies between the
// answer and the write (milliseconds; the host drains the buffer on a graceful shutdown, see functions/index.ts), when
// storage refuses the log's write even after the SDK's retries, or when the buffer is full because storage has been
// unreachable for a while. Each loss is reported (counts only) so that a gap in the log is visible in the host's logs.
// The alternative, awaiting the write before answering, would add a round trip to every SCIM write; writing an
// "intent" row beside the operation and its outcome after would double the log's writes. Neither is worth it for an
// activity log whose source of truth (the directory's own rows) is written synchronously.
import { maskedExcerpt } from '../observability/mask-secrets.js';
import type { LogPage, LogPageQuery } from '../storage/provisioning-log-repository.js';
import { type ProvisioningLogEntry, sanitiseEntry } from './log-entry.js';

/** What the log is written to and read from (the storage repository). */
export interface ProvisioningLogStore {
  append(entries: readonly ProvisioningLogEntry[]): Promise<void>;
  page(query: LogPageQuery): Promise<LogPage>;
  pruneBefore(firstDayKept: string): Promise<{ rows: number; partitions: number }>;
}

/** Entries lost: how many, and why. */
export interface ProvisioningLogLoss {
  readonly entries: number;
  readonly reason: 'bufferFull' | 'writeFailed';
  /** The storage error's message (masked, cut short) when a write failed. */
  readonly error?: string;
}

export interface ProvisioningLogOptions {
  /** Entries waiting to be written at most; beyond, new entries are dropped and reported. Default 10,000. */
  readonly maxBufferedEntries?: number;
  /** Entries taken into one write round at most. Default 500. */
  readonly maxEntriesPerWrite?: number;
  /** False: `record` does nothing (test harnesses that count or gate every storage call). Default true. */
  readonly recording?: boolean;
  /** Told about every loss. Default: one JSON line on stderr, which the Functions host keeps as a warning. */
  readonly onLoss?: (loss: ProvisioningLogLoss) => void;
}

export const DEFAULT_MAX_BUFFERED_ENTRIES = 10_000;
export const DEFAULT_MAX_ENTRIES_PER_WRITE = 500;
const ERROR_TEXT_MAX_LENGTH = 300;

const reportLoss = (loss: ProvisioningLogLoss): void => console.warn(JSON.stringify({ event: 'provisioningLogLoss', ...loss }));

/** Logs with entries not written yet, so that a shutdown can wait for all of them (flushPendingProvisioningLogs). */
const pending = new Set<ProvisioningLog>();

export class ProvisioningLog {
  private buffer: ProvisioningLogEntry[] = [];
  private writing: Promise<void> | undefined;
  private droppedSinceReport = 0;
  private readonly maxBuffered: number;
  private readonly maxPerWrite: number;
  private readonly onLoss: (loss: ProvisioningLogLoss) => void;

  constructor(
    private readonly store: ProvisioningLogStore,
    private readonly options: ProvisioningLogOptions = {},
  ) {
    this.maxBuffered = options.maxBufferedEntries ?? DEFAULT_MAX_BUFFERED_ENTRIES;
    this.maxPerWrite = options.maxEntriesPerWrite ?? DEFAULT_MAX_ENTRIES_PER_WRITE;
    this.onLoss = options.onLoss ?? reportLoss;
  }

  /** Takes the entry for writing in the background; never throws, never waits. */
  record(entry: ProvisioningLogEntry): void {
    if (this.options.recording === false) return;
    if (this.buffer.length >= this.maxBuffered) {
      this.droppedSinceReport++;
      return;
    }
    this.buffer.push(sanitiseEntry(entry));
    pending.add(this);
    this.writing ??= this.drain();
  }

  /** Resolves once every entry recorded before the call is written (or reported lost). */
  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
  }

  page(query: LogPageQuery): Promise<LogPage> {
    return this.store.page(query);
  }

  /** Deletes the days before `firstDayKept` (yyyymmdd, UTC), of every integration. */
  prune(firstDayKept: string): Promise<{ rows: number; partitions: number }> {
    return this.store.pruneBefore(firstDayKept);
  }

  private async drain(): Promise<void> {
    // Let the answer that recorded the entry go out first, and gather the entries of concurrent requests meanwhile.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.buffer.length > 0) {
        const batch = this.buffer.splice(0, this.maxPerWrite);
        try {
          await this.store.append(batch);
        } catch (error) {
          const text = error instanceof Error ? error.message : String(error);
          this.onLoss({ entries: batch.length, reason: 'writeFailed', error: maskedExcerpt(text, ERROR_TEXT_MAX_LENGTH) });
        }
        this.reportDropped();
      }
    } finally {
      this.writing = undefined;
      pending.delete(this);
    }
  }

  private reportDropped(): void {
    if (this.droppedSinceReport === 0) return;
    this.onLoss({ entries: this.droppedSinceReport, reason: 'bufferFull' });
    this.droppedSinceReport = 0;
  }
}

/** Waits until every log of the process has written what it holds: the host's graceful shutdown calls it. */
export async function flushPendingProvisioningLogs(): Promise<void> {
  await Promise.all([...pending].map((log) => log.flush()));
}
