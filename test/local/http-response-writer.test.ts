// The response writer's fast path for plain init objects must give exactly what wrapping in an HttpResponse gives.
import { HttpResponse } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { bufferHandlerResult } from '../../local/http-response-writer.js';

const inits: { status?: number; headers?: Record<string, string>; body?: string }[] = [
  { status: 200, headers: { 'Content-Type': 'application/scim+json', ETag: 'W/"x"' }, body: '{"a":1}' },
  { status: 201, body: 'plain text, no content type' },
  { status: 204, headers: {} },
  { headers: { 'X-Custom': 'y' }, body: 'ü∑ unicode' },
  {},
];

describe('bufferHandlerResult', () => {
  it.each(inits.map((init) => [JSON.stringify(init), init] as const))('a plain init %s equals its HttpResponse', async (_name, init) => {
    const fast = await bufferHandlerResult({ ...init });
    const slow = await bufferHandlerResult(new HttpResponse({ ...init }));
    expect(fast.status).toBe(slow.status);
    expect(Object.fromEntries(fast.headers)).toEqual(Object.fromEntries(slow.headers));
    expect(fast.body.equals(slow.body)).toBe(true);
  });
});
