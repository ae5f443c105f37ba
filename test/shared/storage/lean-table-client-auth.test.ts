// How the lean client authenticates and which pipeline it runs: a TokenCredential's bearer token (the SDK's policy,
// its token cache) reaches the server on point calls and transactions alike, fetched once while valid and again once
// expired; a policy added to the client's pipeline after its first call applies to the next ones; Shared Key Lite
// signs the string the service expects; account connection strings are read as the SDK reads them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeanTableClient } from '../../../shared/storage/lean-table-client.js';
import { sharedKeyLiteStringToSign } from '../../../shared/storage/shared-key-lite.js';
import { parseAccountConnectionString } from '../../../shared/storage/storage-connection-string.js';
import { type PipelineRequest, TableHttpClient, type TableHttpSender } from '../../../shared/storage/table-http-client.js';

const ENDPOINT = 'https://account.table.example.test';
const STORAGE_SCOPE = 'https://storage.azure.com/.default';
const ETAG = `W/"datetime'2024-01-01T00%3A00%3A00.0000000Z'"`;

/** A table endpoint that answers only requests bearing `Bearer <expected>`; it records the authorization it saw. */
function fakeTableService(expected: () => string, seen: string[]): Server {
  const answer = (req: IncomingMessage, res: ServerResponse, body: string): void => {
    seen.push(`${req.method ?? ''} ${req.headers.authorization ?? '(none)'}`);
    if (req.headers.authorization !== `Bearer ${expected()}`) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-ms-error-code': 'AuthenticationFailed' });
      res.end(JSON.stringify({ 'odata.error': { code: 'AuthenticationFailed', message: { lang: 'en-US', value: 'no' } } }));
      return;
    }
    if (req.url?.endsWith('/$batch') === true) {
      const changeset = /boundary=changeset_([0-9a-f-]+)/.exec(body)?.[1] ?? 'x';
      const part = `--changesetresponse_${changeset}\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 204 No Content\r\nETag: ${ETAG}\r\n\r\n\r\n`;
      res.writeHead(202, { 'content-type': 'multipart/mixed; boundary=batchresponse_1' });
      res.end(`--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_${changeset}\r\n\r\n${part}--changesetresponse_${changeset}--\r\n--batchresponse_1--\r\n`);
      return;
    }
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json;odata=minimalmetadata', etag: ETAG });
      res.end(JSON.stringify({ 'odata.etag': ETAG, PartitionKey: 'p', RowKey: 'r', n: 1, 'big@odata.type': 'Edm.Int64', big: '7' }));
      return;
    }
    res.writeHead(204, { etag: ETAG });
    res.end();
  };
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => answer(req, res, Buffer.concat(chunks).toString('utf8')));
  });
}

/** Sends what the client addressed to ENDPOINT (https, as the bearer policy demands) to the local plain-HTTP fake. */
function towards(port: number): TableHttpSender {
  const http = new TableHttpClient();
  return {
    sendRequest(request: PipelineRequest) {
      request.url = request.url.replace(ENDPOINT, `http://127.0.0.1:${port}`);
      request.allowInsecureConnection = true;
      return http.sendRequest(request);
    },
  };
}

/** A credential handing out token-1, token-2, ... each valid for `lifetimeInMs` (negative: already expired). */
function countingCredential(lifetimeInMs: number): TokenCredential & { scopes: string[]; current: () => string } {
  const scopes: string[] = [];
  return {
    scopes,
    current: () => `token-${scopes.length}`,
    getToken(scope: string | string[]): Promise<AccessToken> {
      scopes.push(([] as string[]).concat(scope).join(' '));
      return Promise.resolve({ token: `token-${scopes.length}`, expiresOnTimestamp: Date.now() + lifetimeInMs });
    },
  };
}

let server: Server;
let port: number;
let expected = (): string => '';
const seen: string[] = [];

beforeAll(async () => {
  server = fakeTableService(() => expected(), seen);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('LeanTableClient with a token credential', () => {
  it('sends the bearer token on every kind of call, fetching it once while it is valid', async () => {
    const credential = countingCredential(60 * 60 * 1000);
    expected = credential.current;
    seen.splice(0);
    const client = new LeanTableClient(ENDPOINT, 'people', credential, { httpClient: towards(port) });
    const entity = await client.getEntity('p', 'r');
    expect(entity).toMatchObject({ partitionKey: 'p', rowKey: 'r', n: 1, big: 7n, etag: ETAG });
    expect((await client.createEntity({ partitionKey: 'p', rowKey: 's' })).etag).toBe(ETAG);
    expect((await client.updateEntity({ partitionKey: 'p', rowKey: 's', n: 2 }, 'Replace', { etag: ETAG })).etag).toBe(ETAG);
    await client.upsertEntity({ partitionKey: 'p', rowKey: 's', n: 3 }, 'Merge');
    await client.deleteEntity('p', 's');
    const batch = await client.submitTransaction([['upsert', { partitionKey: 'p', rowKey: 't' }]]);
    expect(batch.subResponses).toEqual([{ status: 204, etag: ETAG }]);
    expect(seen).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'POST'].map((method) => `${method} Bearer token-1`));
    expect(credential.scopes).toEqual([STORAGE_SCOPE]);
  });

  it('fetches a new token when the one it holds has expired', async () => {
    const credential = countingCredential(-1000);
    expected = credential.current;
    seen.splice(0);
    const client = new LeanTableClient(ENDPOINT, 'people', credential, { httpClient: towards(port) });
    await client.getEntity('p', 'r');
    await client.getEntity('p', 'r');
    await client.submitTransaction([['delete', { partitionKey: 'p', rowKey: 'r' }]]);
    expect(seen).toEqual(['GET Bearer token-1', 'GET Bearer token-2', 'POST Bearer token-3']);
  });

  it('fails with the service’s 403 as a RestError when the token is refused', async () => {
    const credential = countingCredential(60 * 60 * 1000);
    expected = () => 'another-token';
    const client = new LeanTableClient(ENDPOINT, 'people', credential, { httpClient: towards(port) });
    await expect(client.getEntity('p', 'r')).rejects.toMatchObject({ name: 'RestError', statusCode: 403, details: { errorCode: 'AuthenticationFailed' } });
  });
});

describe('the lean call path', () => {
  it('runs the client’s pipeline policies, including one added after the first call, and not the SDK serialisers', async () => {
    const credential = countingCredential(60 * 60 * 1000);
    expected = credential.current;
    const client = new LeanTableClient(ENDPOINT, 'people', credential, { httpClient: towards(port) });
    await client.getEntity('p', 'r');
    const passed: string[] = [];
    client.pipeline.addPolicy({
      name: 'testRecorder',
      sendRequest(request, next) {
        passed.push(`${request.method} ${request.headers.has('x-ms-client-request-id') ? 'with' : 'without'} client request id`);
        return next(request);
      },
    });
    await client.getEntity('p', 'r');
    await client.submitTransaction([['upsert', { partitionKey: 'p', rowKey: 't' }]]);
    expect(passed).toEqual(['GET with client request id', 'POST with client request id']);
    client.pipeline.removePolicy({ name: 'testRecorder' });
    await client.getEntity('p', 'r');
    expect(passed).toHaveLength(2);
  });

  it('signs with Shared Key Lite over the date and the canonicalized resource', () => {
    const date = 'Wed, 02 Dec 2026 15:59:59 GMT';
    expect(sharedKeyLiteStringToSign('acct', date, "http://127.0.0.1:10002/acct/people(PartitionKey='a%7Cb',RowKey='c''d')")).toBe(
      `${date}\n/acct/acct/people(PartitionKey='a%7Cb',RowKey='c''d')`,
    );
    expect(sharedKeyLiteStringToSign('acct', date, 'https://acct.table.core.windows.net/$batch')).toBe(`${date}\n/acct/$batch`);
    expect(sharedKeyLiteStringToSign('acct', date, 'https://acct.table.core.windows.net/people?comp=acl&timeout=5')).toBe(`${date}\n/acct/people?comp=acl`);
    expect(sharedKeyLiteStringToSign('acct', date, 'https://acct.table.core.windows.net')).toBe(`${date}\n/acct/`);
  });

  it('reads account connection strings as the SDK does, and leaves the other kinds to it', () => {
    const key = 'a2V5';
    expect(parseAccountConnectionString(`DefaultEndpointsProtocol=http;AccountName=dev;AccountKey=${key};TableEndpoint=http://127.0.0.1:1/dev/;`)).toEqual({
      url: 'http://127.0.0.1:1/dev',
      accountName: 'dev',
      accountKey: key,
    });
    expect(parseAccountConnectionString(`defaultendpointsprotocol=https; accountname=acct; accountkey=${key}; endpointsuffix=core.windows.net`)).toEqual({
      url: 'https://acct.table.core.windows.net',
      accountName: 'acct',
      accountKey: key,
    });
    expect(parseAccountConnectionString('TableEndpoint=https://acct.table.core.windows.net;SharedAccessSignature=sv=2020&sig=x')).toBeUndefined();
    expect(parseAccountConnectionString('UseDevelopmentStorage=true')).toBeUndefined();
  });
});
