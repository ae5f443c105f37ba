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
