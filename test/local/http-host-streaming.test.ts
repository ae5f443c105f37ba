// Streamed response bodies on the local host, as the Functions host serves them with HTTP streams on: status and
// headers first, then each chunk as the handler's stream yields it; a client that leaves cancels the stream; a body
// failing before its first chunk is an empty 500, one failing later cuts the response short.
import azureFunctions from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core.js';
import { type HttpHost, startHttpHost } from '../../local/http-host.js';

const registry = installFunctionsCore();
const { app } = azureFunctions;
const bytes = (text: string) => new TextEncoder().encode(text);

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

// The second chunk waits until the test has received the first: only a streamed response lets the test get there.
let gate = deferred();
app.http('gated', {
  route: 'gated',
  methods: ['GET'],
  handler: () => ({
    headers: { 'content-type': 'application/scim+json', etag: 'W/"7"' },
    body: (async function* () {
      yield bytes('{"first":');
      await gate.promise;
      yield bytes('true}');
    })(),
  }),
});

let cancelled = deferred();
app.http('endless', {
  route: 'endless',
  methods: ['GET'],
  handler: () => ({
    body: (async function* () {
      try {
        for (;;) yield await Promise.resolve(bytes('x'.repeat(64 * 1024)));
      } finally {
        cancelled.resolve();
      }
    })(),
  }),
});

app.http('failsLate', {
  route: 'fails-late',
  methods: ['GET'],
  handler: () => ({
    body: (async function* () {
      yield await Promise.resolve(bytes('{"partial":'));
      throw new Error('page read failed');
    })(),
  }),
});

app.http('failsEarly', {
  route: 'fails-early',
  methods: ['GET'],
  handler: () => ({
    headers: { 'content-type': 'application/scim+json' },
    // eslint-disable-next-line require-yield
    body: (async function* () {
      await Promise.resolve();
      throw new Error('first read failed');
    })(),
  }),
});

app.http('whole', { route: 'whole', methods: ['GET'], handler: () => ({ body: 'all at once' }) });

let host: HttpHost;
const lines: string[] = [];

beforeAll(async () => {
  host = await startHttpHost({ registry, port: 0, routePrefix: 'api', functionsKey: 'k', log: (line) => lines.push(line) });
});
afterAll(async () => host.close());

describe('streamed bodies', () => {
  it('sends status, headers and the first chunk before the body is complete', async () => {
    gate = deferred();
    const response = await fetch(`${host.url}/api/gated`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/scim+json');
    expect(response.headers.get('etag')).toBe('W/"7"');
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('{"first":');
    gate.resolve();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('true}');
  });

  it('keeps Content-Length for a body that is whole', async () => {
    const response = await fetch(`${host.url}/api/whole`);
    expect(response.headers.get('content-length')).toBe(String('all at once'.length));
    expect(await response.text()).toBe('all at once');
  });

  it('cancels the handler stream when the client leaves', async () => {
    cancelled = deferred();
    const abort = new AbortController();
    const response = await fetch(`${host.url}/api/endless`, { signal: abort.signal });
    await (response.body as ReadableStream<Uint8Array>).getReader().read();
    abort.abort();
    await cancelled.promise; // resolves only when the generator's finally ran
  });

  it('cuts the response short when the body fails after its first chunk, and logs it', async () => {
    const response = await fetch(`${host.url}/api/fails-late`);
    expect(response.status).toBe(200);
    await expect(response.text()).rejects.toThrow();
    expect(lines.some((line) => line.includes('failsLate') && line.includes('response body failed') && line.includes('page read failed'))).toBe(true);
  });

  it('answers an empty 500 without the handler headers when the body fails before its first chunk', async () => {
    const response = await fetch(`${host.url}/api/fails-early`);
    expect(response.status).toBe(500);
    expect(response.headers.get('content-type')).toBeNull();
    expect(await response.text()).toBe('');
    expect(lines.some((line) => line.startsWith('GET /api/fails-early -> 500'))).toBe(true);
  });
});
