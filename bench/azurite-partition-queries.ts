// Azurite answers a query by evaluating its filter over every entity of the table (LokiTableMetadataStore
// queryTableEntities: collection.chain().where(filter)), so a query within one partition costs time in proportion to
// the whole table. Azure reads only the partition. At 100,000 people that scan is most of Azurite's CPU (the audience
// bench's profile: lokijs Resultset.where 48% of busy time, seeding ~20,000 users took 636 s and grew quadratically),
// and it makes the benchmark measure the emulator instead of our code.
//
// narrowPartitionQueries() makes a query whose filter pins one PartitionKey (`PartitionKey eq '…'` as the filter or as a
// conjunct of its top-level `and`s) start from that partition, found through the PartitionKey index Azurite already
// keeps on every table collection; the full filter, the continuation, the ordering and the page size then apply
// exactly as before, so the answer is the same. Loki's index compares numeric-looking strings as numbers, which can
// only widen the set it starts from (the filter still decides), never narrow it. Only for the bench's own Azurite
// process (azurite-process.ts); never for the tests' or the local host's storage.
import { createRequire } from 'node:module';

interface QueryNode {
  readonly name: string;
  readonly left?: QueryNode;
  readonly right?: QueryNode;
  readonly identifier?: string;
  readonly value?: unknown;
}

interface Chainable {
  chain: (this: Chainable, ...args: unknown[]) => { find(query: object): unknown };
}

type QueryMethod = (this: MetadataStore, context: unknown, account: string, table: string, queryOptions: { filter?: string }, ...rest: unknown[]) => Promise<unknown>;

interface MetadataStore {
  getEntityCollection(account: string, table: string, context: unknown): Chainable;
  queryTableEntities: QueryMethod;
}

const require = createRequire(import.meta.url);
const load = (path: string): unknown => (require(`azurite/dist/src/table/persistence/${path}`) as { default: unknown }).default;

/** The PartitionKey every entity the filter accepts must have, when the filter pins one. */
export function pinnedPartition(node: QueryNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (node.name === 'and') return pinnedPartition(node.left) ?? pinnedPartition(node.right);
  if (node.name !== 'eq') return undefined;
  const [identifier, constant] = node.left?.name === 'id' ? [node.left, node.right] : [node.right, node.left];
  if (identifier?.identifier !== 'PartitionKey' || constant?.name !== 'constant' || typeof constant.value !== 'string') return undefined;
  return constant.value;
}

export function partitionOfFilter(filter: string | undefined): string | undefined {
  if (filter === undefined || filter === '') return undefined;
  const parse = load('QueryInterpreter/QueryParser.js') as (query: string) => QueryNode;
  try {
    return pinnedPartition(parse(filter));
  } catch {
    return undefined; // Azurite answers the malformed filter itself.
  }
}

let installed = false;
let narrowedQueries = 0;

/** How many queries this process answered from their partition alone (for the test that pins the patch). */
export const narrowedQueryCount = (): number => narrowedQueries;

/** Patches Azurite's Loki table store in this process (idempotent). */
export function narrowPartitionQueries(): void {
  if (installed) return;
  installed = true;
  const store = (load('LokiTableMetadataStore.js') as { prototype: MetadataStore }).prototype;
  const query = store.queryTableEntities;
  store.queryTableEntities = function (context, account, table, queryOptions, ...rest) {
    const partition = partitionOfFilter(queryOptions.filter);
    if (partition === undefined) return query.call(this, context, account, table, queryOptions, ...rest);
    let collection: Chainable;
    try {
      collection = this.getEntityCollection(account, table, context);
    } catch {
      return query.call(this, context, account, table, queryOptions, ...rest); // e.g. no such table: Azurite answers it
    }
    const chain = collection.chain;
    let narrowed = 0;
    collection.chain = function (...args) {
      narrowed++;
      return chain.apply(this, args).find({ PartitionKey: partition }) as ReturnType<Chainable['chain']>;
    };
    try {
      // Azurite's method builds its result set before its first await: the patch is in place for exactly that call.
      const answer = query.call(this, context, account, table, queryOptions, ...rest);
      if (narrowed !== 1) throw new Error(`this Azurite version queries differently (chain() called ${narrowed} times): remove narrowPartitionQueries`);
      narrowedQueries++;
      return answer;
    } finally {
      collection.chain = chain;
    }
  };
}
