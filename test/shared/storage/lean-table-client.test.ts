// The lean client against the SDK it replaces, on Azurite: the same HTTP requests (URLs, headers, bodies, transaction
// multipart included), the same answers (entities with every Edm type, ETags, per-operation results), the same
// errors (status, error code, message, details.errorCode) for a missing row, a taken key, a stale ETag and a
// transaction that fails part way, which writes nothing. Each pair of calls runs once through the SDK's TableClient and
// once through LeanTableClient, on tables of their own, behind a proxy that records what reached storage.
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RestError, TableClient, type TransactionAction } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeanTableClient } from '../../../shared/storage/lean-table-client.js';
import { parseAccountConnectionString } from '../../../shared/storage/storage-connection-string.js';
import { isConflict, isNotFound, isPreconditionFailed } from '../../../shared/storage/storage-errors.js';

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  status: number;
}

/** A proxy in front of the test run's storage that keeps every request and the status it got. */
async function startRecorder(connectionString: string): Promise<{ connectionString: string; seen: Recorded[]; close(): Promise<void> }> {
  const target = new URL(/TableEndpoint=(http:\/\/[^;]+)/.exec(connectionString)?.[1] ?? '');
  const seen: Recorded[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const entry: Recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body: body.toString('utf8'), status: 0 };
      seen.push(entry);
      const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    connectionString: connectionString.replace(/TableEndpoint=http:\/\/[^/;]+/, `TableEndpoint=http://127.0.0.1:${port}`),
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const WIRE_HEADERS = ['accept', 'content-type', 'content-length', 'dataserviceversion', 'maxdataserviceversion', 'x-ms-version', 'prefer', 'if-match', 'accept-charset', 'user-agent'];
/** Headers both send with values of their own (dates, ids, signatures): compared by presence only. */
const PRESENT_HEADERS = ['x-ms-date', 'x-ms-client-request-id', 'authorization'];

/** What must match between the two clients' requests: table names and transaction boundaries made neutral. */
function comparable(entry: Recorded, table: string): unknown {
  const neutral = (text: string) =>
    text
      .replaceAll(table, 'TABLE')
      .replace(/(batch|changeset)_[0-9a-f-]{36}/g, '$1_ID')
      .replace(/datetime'[^']*'/g, "datetime'ETAG'");
  const headers = Object.fromEntries(WIRE_HEADERS.filter((name) => entry.headers[name] !== undefined).map((name) => [name, neutral(String(entry.headers[name]))]));
  // Left out: host, and the connection handling (the SDK asks for compressed answers and names keep-alive itself).
  const names = Object.keys(entry.headers).filter((name) => !['host', 'connection', 'accept-encoding'].includes(name)).sort();
  const present = PRESENT_HEADERS.filter((name) => entry.headers[name] !== undefined);
  return { method: entry.method, path: neutral(entry.path), names, present, headers, body: neutral(entry.body), status: entry.status };
}

/** What the caller sees of a failure: the error's class, status, code, message (request id and time cut), errorCode. */
async function failureOf(call: Promise<unknown>): Promise<unknown> {
  const error = await call.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof RestError)) return error;
  return {
    restError: true,
    name: error.name,
    statusCode: error.statusCode,
    code: error.code,
    message: error.message.replace(/RequestId:[^\\"\n]*/g, 'RequestId').replace(/Time:[^\\"\n]*/g, 'Time'),
    errorCode: (error.details as { errorCode?: string } | undefined)?.errorCode,
  };
}

const KEYS = ["p'q", 'a b|c:é', 'x%y', '(!*)~-_.', 'Ω€𝄞'];

let recorder: Awaited<ReturnType<typeof startRecorder>>;
let sdk: TableClient;
let lean: LeanTableClient;

beforeAll(async () => {
  recorder = await startRecorder(String(process.env.AzureWebJobsStorage));
  const suffix = randomBytes(4).toString('hex');
  sdk = TableClient.fromConnectionString(recorder.connectionString, `leansdk${suffix}`, { allowInsecureConnection: true });
  const account = parseAccountConnectionString(recorder.connectionString);
  if (account === undefined) throw new Error('the test storage has no account connection string');
  lean = new LeanTableClient(account.url, `leanown${suffix}`, account, { allowInsecureConnection: true });
  await Promise.all([sdk.createTable(), lean.createTable()]);
});
afterAll(async () => {
  await Promise.all([sdk.deleteTable(), lean.deleteTable()]);
  await recorder.close();
});

/** Runs `work` on each client; returns what each sent (comparable) and what each answered. */
async function both<T>(work: (client: TableClient) => Promise<T>): Promise<{ sent: [unknown[], unknown[]]; answers: [T, T] }> {
  const sent: [unknown[], unknown[]] = [[], []];
  const answers: T[] = [];
  for (const [index, client] of [sdk, lean].entries()) {
    const from = recorder.seen.length;
    answers.push(await work(client));
    const entries = recorder.seen.slice(from);
    sent[index] = entries.map((entry) => comparable(entry, client.tableName));
    // The witness that a call took the lean path: the SDK's pipeline asks for compressed answers, the lean one not.
    for (const entry of entries) expect(entry.headers['accept-encoding'] === undefined).toBe(client === lean);
  }
  return { sent, answers: answers as [T, T] };
}

const typed = (rowKey: string, partitionKey = 'types') => ({
  partitionKey,
  rowKey,
  text: 'héllo "quoted" \\ \n',
  int32: 42,
  double: 1.5,
  flag: true,
  int64: 9_007_199_254_740_993n,
  when: new Date('2024-02-29T12:34:56.789Z'),
  bytes: new Uint8Array([0, 1, 2, 250, 255]),
  guid: { type: 'Guid' as const, value: '0f8fad5b-d9cb-469f-a165-70867728950e' },
  wholeDouble: { type: 'Double' as const, value: '2' },
  typedInt64: { type: 'Int64' as const, value: '-5' },
  missing: undefined,
});

describe('LeanTableClient, the same requests and answers as the SDK', () => {
  it('writes and reads every Edm type, with keys that need quoting and encoding, to the same rows and shapes', async () => {
    const { sent, answers } = await both(async (client) => {
      const read = [];
      for (const key of KEYS) {
        await client.createEntity(typed(key, key));
        const entity = await client.getEntity(key, key);
        read.push({ ...entity, 'odata.metadata': String(entity['odata.metadata']).replace(client.tableName, 'TABLE'), etag: typeof entity.etag, timestamp: typeof entity.timestamp });
      }
      return read;
    });
    expect(sent[1]).toEqual(sent[0]);
    expect(answers[1]).toEqual(answers[0]);
    const first = answers[1][0] as Record<string, unknown>;
    expect(first.int64).toBe(9_007_199_254_740_993n);
    expect(first.when).toEqual(new Date('2024-02-29T12:34:56.789Z'));
    expect(first.bytes).toEqual(Buffer.from([0, 1, 2, 250, 255]));
    expect(first.guid).toEqual({ type: 'Guid', value: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    expect(first.typedInt64).toBe(-5n);
  });

  it('merges, replaces and deletes under If-Match as the SDK does, and returns the new ETag', async () => {
    const { sent, answers } = await both(async (client) => {
      const created = await client.createEntity({ partitionKey: 'w', rowKey: 'r', a: 1, b: 'x' });
      const merged = await client.updateEntity({ partitionKey: 'w', rowKey: 'r', b: 'y' }, 'Merge', { etag: created.etag });
      const afterMerge = await client.getEntity('w', 'r');
      const replaced = await client.updateEntity({ partitionKey: 'w', rowKey: 'r', c: true }, 'Replace', { etag: merged.etag });
      const afterReplace = await client.getEntity('w', 'r');
      await client.upsertEntity({ partitionKey: 'w', rowKey: 'u', n: 1 }, 'Replace');
      await client.upsertEntity({ partitionKey: 'w', rowKey: 'u', m: 2 }, 'Merge');
      await client.updateEntity({ partitionKey: 'w', rowKey: 'u', k: 3 });
      const upserted = await client.getEntity('w', 'u');
      await client.deleteEntity('w', 'r', { etag: replaced.etag });
      await client.deleteEntity('w', 'u');
      return {
        etagsMatch: [merged.etag === afterMerge.etag, replaced.etag === afterReplace.etag],
        rows: [afterMerge, afterReplace, upserted].map(({ a, b, c, n, m, k }) => ({ a, b, c, n, m, k })),
        gone: [await failureOf(client.getEntity('w', 'r')), await failureOf(client.getEntity('w', 'u'))],
      };
    });
    expect(sent[1]).toEqual(sent[0]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[1].etagsMatch).toEqual([true, true]);
    expect(answers[1].rows).toEqual([
      { a: 1, b: 'y', c: undefined, n: undefined, m: undefined, k: undefined },
      { a: undefined, b: undefined, c: true, n: undefined, m: undefined, k: undefined },
      { a: undefined, b: undefined, c: undefined, n: 1, m: 2, k: 3 },
    ]);
  });

  it('fails a missing row with 404, a taken key with 409 and a stale ETag with 412, as RestErrors the storage helpers classify', async () => {
    const { sent, answers } = await both(async (client) => {
      const { etag } = await client.createEntity({ partitionKey: 'e', rowKey: 'held', v: 1 });
      await client.updateEntity({ partitionKey: 'e', rowKey: 'held', v: 2 }, 'Replace', { etag });
      const failures = [
        await failureOf(client.getEntity('e', 'absent')),
        await failureOf(client.deleteEntity('e', 'absent')),
        await failureOf(client.updateEntity({ partitionKey: 'e', rowKey: 'absent', v: 1 }, 'Merge')),
        await failureOf(client.createEntity({ partitionKey: 'e', rowKey: 'held', v: 3 })),
        await failureOf(client.updateEntity({ partitionKey: 'e', rowKey: 'held', v: 3 }, 'Replace', { etag })),
        await failureOf(client.deleteEntity('e', 'held', { etag })),
      ];
      const raw = await client.getEntity('e', 'absent').catch((error: unknown) => error);
      return { failures, classified: [isNotFound(raw), isConflict(await client.createEntity({ partitionKey: 'e', rowKey: 'held' }).catch((error: unknown) => error))] };
    });
    expect(sent[1]).toEqual(sent[0]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[1].failures.map((failure) => (failure as { statusCode: number }).statusCode)).toEqual([404, 404, 404, 409, 412, 412]);
    expect(answers[1].failures[4]).toMatchObject({ restError: true, errorCode: 'UpdateConditionNotSatisfied' });
    expect(answers[1].classified).toEqual([true, true]);
  });

  it('submits a transaction of every action kind as the same multipart body, with the same per-operation results', async () => {
    const { sent, answers } = await both(async (client) => {
      await client.createEntity({ partitionKey: "t'x", rowKey: 'old', v: 0 });
      const { etag } = await client.createEntity({ partitionKey: "t'x", rowKey: 'guarded', v: 0 });
      const actions: TransactionAction[] = [
        ['create', typed('new', "t'x")],
        ['upsert', { partitionKey: "t'x", rowKey: 'replaced', v: 1 }, 'Replace'],
        ['upsert', { partitionKey: "t'x", rowKey: 'merged', v: 2 }],
        ['update', { partitionKey: "t'x", rowKey: 'guarded', v: 3 }, 'Merge', { etag }],
        ['update', { partitionKey: "t'x", rowKey: 'old', w: 4 }, 'Replace'],
      ];
      const response = await client.submitTransaction(actions);
      const removal = await client.submitTransaction([['delete', { partitionKey: "t'x", rowKey: 'old' }]]);
      const guarded = await client.getEntity("t'x", 'guarded');
      return {
        status: response.status,
        results: response.subResponses.map(({ status, rowKey, etag: each }) => ({ status, rowKey, etag: typeof each })),
        guardedEtagMatches: response.subResponses[3]?.etag === guarded.etag,
        forEntity: response.getResponseForEntity('new')?.status,
        removal: removal.subResponses.map(({ status }) => status),
        created: { ...(await client.getEntity("t'x", 'new')), etag: 'x', timestamp: 'x', 'odata.metadata': 'x' },
      };
    });
    expect(sent[1]).toEqual(sent[0]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[1].results).toHaveLength(5);
    expect(answers[1].guardedEtagMatches).toBe(true);
  });

  it('fails a transaction part way with the failed operation in the error, and writes none of it', async () => {
    const { sent, answers } = await both(async (client) => {
      const { etag } = await client.createEntity({ partitionKey: 'f', rowKey: 'taken', v: 0 });
      await client.updateEntity({ partitionKey: 'f', rowKey: 'taken', v: 1 }, 'Replace');
      const attempts = [
        [['create', { partitionKey: 'f', rowKey: 'a', v: 1 }], ['create', { partitionKey: 'f', rowKey: 'taken', v: 1 }], ['create', { partitionKey: 'f', rowKey: 'b', v: 1 }]],
        [['upsert', { partitionKey: 'f', rowKey: 'c', v: 1 }], ['update', { partitionKey: 'f', rowKey: 'taken', v: 2 }, 'Merge', { etag }]],
        [['upsert', { partitionKey: 'f', rowKey: 'd', v: 1 }], ['delete', { partitionKey: 'f', rowKey: 'nobody' }]],
      ] as TransactionAction[][];
      const failures = [];
      for (const actions of attempts) failures.push(await failureOf(client.submitTransaction(actions)));
      const written = await Promise.all(['a', 'b', 'c', 'd'].map((rowKey) => client.getEntity('f', rowKey).then(() => rowKey, () => undefined)));
      const taken = await client.getEntity<{ v: number }>('f', 'taken');
      return { failures, written: written.filter((each) => each !== undefined), takenValue: taken.v };
    });
    expect(sent[1]).toEqual(sent[0]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[1].failures).toMatchObject([
      { restError: true, statusCode: 409, code: 'EntityAlreadyExists', message: expect.stringMatching(/^1:/) },
      { restError: true, statusCode: 412, code: 'UpdateConditionNotSatisfied', message: expect.stringMatching(/^1:/) },
      { restError: true, statusCode: 404, code: 'ResourceNotFound', message: expect.stringMatching(/^1:/) },
    ]);
    expect(answers[1].written).toEqual([]);
    expect(answers[1].takenValue).toBe(1);
    const [, precondition] = answers[1].failures as { statusCode: number }[];
    expect(isPreconditionFailed(precondition)).toBe(true);
  });

  it('refuses a transaction across partitions and an unknown update mode before sending anything, as the SDK does', async () => {
    const { sent, answers } = await both(async (client) => [
      await failureOf(client.submitTransaction([['upsert', { partitionKey: 'a', rowKey: '1' }], ['upsert', { partitionKey: 'b', rowKey: '1' }]])),
      await failureOf(client.upsertEntity({ partitionKey: 'a', rowKey: '1' }, 'Nope' as 'Merge')),
    ]);
    expect(sent).toEqual([[], []]);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[1].map((error) => (error as Error).message)).toEqual(['All operations in a transaction must target the same partitionKey', 'Unexpected value for update mode: Nope']);
  });
});
