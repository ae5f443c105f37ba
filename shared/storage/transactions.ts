// Entity-group transactions hold at most 100 actions on one partition and a body under 4 MiB: group actions by
// partition and submit them in chunks within both limits, a bounded number at a time.
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { TRANSACTION_BODY_BUDGET, transactionActionBytes } from './entity-limits.js';
import { isNotFound } from './storage-errors.js';

export const MAX_TRANSACTION_ACTIONS = 100;
const PARALLEL_TRANSACTIONS = 8;

function partitionOf(action: TransactionAction): string {
  return String(action[1].partitionKey);
}

/** Splits actions into transactions of at most 100 actions and TRANSACTION_BODY_BUDGET bytes, each on one partition. */
export function chunkByPartition(actions: TransactionAction[]): TransactionAction[][] {
  const byPartition = new Map<string, TransactionAction[]>();
  for (const action of actions) {
    const list = byPartition.get(partitionOf(action)) ?? [];
    list.push(action);
    byPartition.set(partitionOf(action), list);
  }
  const chunks: TransactionAction[][] = [];
  for (const list of byPartition.values()) {
    let chunk: TransactionAction[] = [];
    let bytes = 0;
    for (const action of list) {
      const size = transactionActionBytes(action);
      if (chunk.length === MAX_TRANSACTION_ACTIONS || (chunk.length > 0 && bytes + size > TRANSACTION_BODY_BUDGET)) {
        chunks.push(chunk);
        chunk = [];
        bytes = 0;
      }
      chunk.push(action);
      bytes += size;
    }
    if (chunk.length > 0) chunks.push(chunk);
  }
  return chunks;
}

/** Runs `work` over items with at most `limit` in flight. */
export async function forEachBounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  });
  await Promise.all(workers);
}

/** Submits the actions as entity-group transactions; `onFailure` may recover a failed chunk (e.g. per entity). */
export async function submitChunked(
  table: TableClient,
  actions: TransactionAction[],
  onFailure?: (chunk: TransactionAction[], error: unknown) => Promise<void>,
): Promise<void> {
  await forEachBounded(chunkByPartition(actions), PARALLEL_TRANSACTIONS, async (chunk) => {
    try {
      await table.submitTransaction(chunk);
    } catch (error) {
      if (onFailure === undefined) throw error;
      await onFailure(chunk, error);
    }
  });
}

/**
 * Submits the actions as transactions, deletes of rows already gone allowed: a chunk that fails because a row it
 * deletes is gone (another writer deleted it, or a retry) is written again as its other actions in one transaction
 * and its deletes one by one, ignoring their 404s.
 */
export async function submitIgnoringGone(table: TableClient, actions: TransactionAction[]): Promise<void> {
  await submitChunked(table, actions, async (chunk, error) => {
    if (!isNotFound(error)) throw error;
    const others = chunk.filter(([kind]) => kind !== 'delete');
    if (others.length > 0) await table.submitTransaction(others);
    await forEachBounded(
      chunk.filter(([kind]) => kind === 'delete'),
      8,
      async ([, entity]) => {
        await table.deleteEntity(String(entity.partitionKey), String(entity.rowKey)).catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      },
    );
  });
}
