// A table client with one method wrapped: the wrapper gets the call (the real method, bound) and its arguments, so a
// test can run a racing writer just before it, or change what it answers, without a mocked client.
import type { TableClient } from '@azure/data-tables';

type Call = (...args: unknown[]) => Promise<unknown>;

export function wrapTableMethod(table: TableClient, method: 'getEntity' | 'createEntity' | 'updateEntity' | 'upsertEntity' | 'deleteEntity', wrap: (call: Call, args: unknown[]) => Promise<unknown>): TableClient {
  return new Proxy(table, {
    get: (target, property, receiver) => {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== method || typeof value !== 'function') return value;
      const call: Call = (...args) => (value as Call).apply(target, args);
      return (...args: unknown[]) => wrap(call, args);
    },
  });
}

/** A table client counting its calls of the named methods (queries included: listEntities returns no promise). */
export function countTableCalls<M extends string>(table: TableClient, methods: readonly M[]): { table: TableClient; calls: Record<M, number> } {
  const calls = Object.fromEntries(methods.map((method) => [method, 0])) as Record<M, number>;
  const counted = new Proxy(table, {
    get: (target, property, receiver) => {
      const value: unknown = Reflect.get(target, property, receiver);
      if (!(methods as readonly (string | symbol)[]).includes(property) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls[property as M] += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { table: counted, calls };
}

type TransactionActions = [string, { partitionKey: string; rowKey: string }][];

/**
 * Fails the transactions of a running service's own table client (patched in place, so every writer sharing it is
 * affected) that `matches` picks: `times` of them, or every one until `stop()`. The others are written as usual.
 */
export function failTransactions(table: TableClient, matches: (actions: TransactionActions) => boolean, message: string, times = Number.POSITIVE_INFINITY): { failed: () => number; stop: () => void } {
  const client = table as unknown as { submitTransaction: (actions: TransactionActions) => Promise<unknown> };
  const original = client.submitTransaction;
  let failed = 0;
  client.submitTransaction = async function (this: unknown, actions: TransactionActions) {
    if (failed < times && matches(actions)) {
      failed++;
      throw new Error(message);
    }
    return original.call(this, actions);
  };
  return {
    failed: () => failed,
    stop: () => {
      client.submitTransaction = original;
    },
  };
}
