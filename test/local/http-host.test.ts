import { request as httpRequest } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import azureFunctions from '@azure/functions';
import type { HttpHandler } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFunctionsCore } from '../../local/functions-core.js';
import { type HttpHost, startHttpHost } from '../../local/http-host.js';

// Installed before the first `app.*` call: `@azure/functions` caches its lookup of the core module.
const registry = installFunctionsCore();
const { app, HttpResponse } = azureFunctions;
const KEY = 'test-functions-key';

app.http('getUser', {
  route: 'scim/{tenant}/Users/{id}',
  methods: ['GET'],
  handler: (request) => ({
    jsonBody: { tenant: request.params.tenant, id: request.params.id, filter: request.query.get('filter') },
  }),
});
app.http('listUsers', {
  route: 'scim/{tenant}/Users',
  methods: ['GET', 'POST'],
  handler: (request) => ({ status: 200, jsonBody: { method: request.method, url: request.url } }),
});
app.http('echo', {
  route: 'echo',
  methods: ['POST', 'PUT'],
  authLevel: 'function',
  handler: async (request) =>
    new HttpResponse({
      status: 201,
      body: await request.text(),
      headers: { 'content-type': request.headers.get('content-type') ?? 'text/plain', 'x-echo': 'yes' },
      cookies: [{ name: 'session', value: 'abc', httpOnly: true, path: '/' }],
    }),
});
app.http('adminOnly', { route: 'admin-thing', authLevel: 'admin', handler: () => ({ body: 'admin ok' }) });
app.http('DefaultRoute', { handler: (request) => ({ body: `default ${request.method}` }) });
app.http('boom', {
  route: 'boom',
  handler: () => {
    throw new Error('kaboom');
  },
});
// The types demand a response; JavaScript handlers can still return nothing.
const returnsNothing = (() => undefined) as unknown as HttpHandler;
app.http('nothing', { route: 'nothing', methods: ['DELETE'], handler: returnsNothing });
app.http('stream', {
  route: 'stream',
  methods: ['GET'],
  handler: () => {
    async function* chunks() {
      yield new TextEncoder().encode('a');
      await delay(1);
      yield new TextEncoder().encode('b');
    }
    return { body: chunks() };
  },
});
app.http('slow', {
  route: 'slow',
  methods: ['GET'],
  handler: async (_request, context) => {
    await delay(300);
    context.log('slow finished');
    return { body: 'late' };
  },
});

let host: HttpHost;
const lines: string[] = [];

beforeAll(async () => {
  host = await startHttpHost({ registry, port: 0, routePrefix: 'api', functionsKey: KEY, log: (l) => lines.push(l) });
});
afterAll(async () => {
  await host.close();
});

describe('routing', () => {
  it('routes /{prefix}/{route} with params, case-insensitively', async () => {
    const response = await fetch(`${host.url}/API/SCIM/t1/users/u%40x.com`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ tenant: 't1', id: 'u@x.com', filter: null });
  });

  it('form-decodes the query, so + is a space (G5)', async () => {
    const response = await fetch(`${host.url}/api/scim/t1/Users/x?filter=userName+eq+%22x%40y.com%22`);
    expect(await response.json()).toMatchObject({ filter: 'userName eq "x@y.com"' });
  });

  it('tolerates a trailing slash and a double slash (G1)', async () => {
    for (const path of ['/api/scim/t1/Users', '/api/scim/t1/Users/', '/api/scim/t1//Users', '/api//scim/t1/Users/']) {
      const response = await fetch(`${host.url}${path}`);
      expect(response.status, path).toBe(200);
      expect(await response.json()).toMatchObject({ method: 'GET', url: `${host.url}${path}` });
    }
  });

  it('defaults the route to the function name and the methods to GET and POST', async () => {
    const get = await fetch(`${host.url}/api/defaultroute`);
    expect(await get.text()).toBe('default GET');
    const post = await fetch(`${host.url}/api/DefaultRoute`, { method: 'POST', body: 'x' });
    expect(await post.text()).toBe('default POST');
    expect((await fetch(`${host.url}/api/DefaultRoute`, { method: 'DELETE' })).status).toBe(404);
  });

  it('answers 404 with an empty body for unknown routes and methods not registered', async () => {
    for (const [method, path] of [
      ['GET', '/api/unknown'],
      ['PATCH', '/api/scim/t1/Users'],
      ['GET', '/scim/t1/Users'],
    ] as const) {
      const response = await fetch(`${host.url}${path}`, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.text()).toBe('');
    }
  });

  it('lists its routes', () => {
    expect(host.routes().map((r) => r.compiled.template)).toContain('api/scim/{tenant}/Users/{id}');
  });
});

describe('function keys', () => {
  it('accepts the key in x-functions-key or ?code=', async () => {
    const viaHeader = await fetch(`${host.url}/api/echo`, {
      method: 'POST',
      headers: { 'x-functions-key': KEY, 'content-type': 'application/scim+json' },
      body: '{"a":1}',
    });
    expect(viaHeader.status).toBe(201);
    expect(viaHeader.headers.get('content-type')).toBe('application/scim+json');
    expect(viaHeader.headers.get('x-echo')).toBe('yes');
    expect(viaHeader.headers.get('set-cookie')).toBe('session=abc; Path=/; HttpOnly');
    expect(await viaHeader.text()).toBe('{"a":1}');

    const viaQuery = await fetch(`${host.url}/api/echo?code=${KEY}`, { method: 'PUT', body: 'plain' });
    expect(await viaQuery.text()).toBe('plain');
    expect((await fetch(`${host.url}/api/admin-thing?code=${KEY}`)).status).toBe(200);
  });

  it('answers 401 with an empty body for a missing or wrong key', async () => {
    const cases: [string, RequestInit][] = [
      ['/api/echo', { method: 'POST', body: 'x' }],
      ['/api/echo?code=wrong', { method: 'POST', body: 'x' }],
      ['/api/echo', { method: 'POST', body: 'x', headers: { 'x-functions-key': `${KEY}x` } }],
      [`/api/echo?code=${KEY}`, { method: 'POST', body: 'x', headers: { 'x-functions-key': 'wrong' } }],
      ['/api/admin-thing', {}],
    ];
    for (const [path, init] of cases) {
      const response = await fetch(`${host.url}${path}`, init);
      expect(response.status, path).toBe(401);
      expect(await response.text()).toBe('');
    }
  });
});

describe('responses', () => {
  it('turns a thrown error into an empty 500 and logs it', async () => {
    const response = await fetch(`${host.url}/api/boom`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    expect(lines.some((l) => l.includes('boom') && l.includes('kaboom'))).toBe(true);
  });

  it('answers 204 when the handler returns nothing', async () => {
    const response = await fetch(`${host.url}/api/nothing`, { method: 'DELETE' });
    expect(response.status).toBe(204);
  });

  it('reads async-iterable bodies completely', async () => {
    expect(await (await fetch(`${host.url}/api/stream`)).text()).toBe('ab');
  });

  it('logs one line per request without the query string', async () => {
    await fetch(`${host.url}/api/echo?code=${KEY}`, { method: 'POST', body: 'secret-body' });
    const line = lines.findLast((l) => l.startsWith('POST /api/echo'));
    expect(line).toMatch(/^POST \/api\/echo -> 201 in \d+ms \[echo [0-9a-f-]+\]$/);
    expect(lines.join('\n')).not.toContain(KEY);
    expect(lines.join('\n')).not.toContain('secret-body');
  });
});

describe('limits and aborts', () => {
  it('answers 413 for a body over the limit', async () => {
    const small = await startHttpHost({
      registry,
      port: 0,
      routePrefix: 'api',
      functionsKey: KEY,
      log: () => undefined,
      maxRequestBodyInBytes: 1024,
    });
    try {
      const response = await fetch(`${small.url}/api/echo?code=${KEY}`, { method: 'POST', body: 'x'.repeat(2048) });
      expect(response.status).toBe(413);
      const chunked = await fetch(`${small.url}/api/echo?code=${KEY}`, {
        method: 'POST',
        body: new Blob(['y'.repeat(4096)]).stream(),
        duplex: 'half',
      });
      expect(chunked.status).toBe(413);
      const fine = await fetch(`${small.url}/api/echo?code=${KEY}`, { method: 'POST', body: 'x'.repeat(1024) });
      expect(fine.status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('survives a client that aborts while sending the body or while waiting', async () => {
    const url = new URL(`${host.url}/api/echo?code=${KEY}`);
    await new Promise<void>((resolve) => {
      const req = httpRequest(url, { method: 'POST', headers: { 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('partial', () => setTimeout(() => req.destroy(), 50));
    });
    const controller = new AbortController();
    const waiting = fetch(`${host.url}/api/slow`, { signal: controller.signal }).catch(() => 'aborted');
    await delay(50);
    controller.abort();
    expect(await waiting).toBe('aborted');
    await delay(400);
    expect(lines.some((l) => l.startsWith('GET /api/slow') && l.includes('client gone'))).toBe(true);
    const after = await fetch(`${host.url}/api/scim/t1/Users`);
    expect(after.status).toBe(200);
  });
});

describe('close', () => {
  it('closes with keep-alive connections open', async () => {
    const other = await startHttpHost({ registry, port: 0, routePrefix: '', functionsKey: KEY, log: () => undefined });
    const response = await fetch(`${other.url}/scim/t1/Users`);
    expect(response.status).toBe(200);
    await response.text();
    await other.close();
    await expect(fetch(`${other.url}/scim/t1/Users`)).rejects.toThrow();
  });
});
