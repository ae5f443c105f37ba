// The streamed SCIM answer: its first piece is read before answering (so an early failure is still an error
// envelope), small pieces are gathered into chunks, a later failure is logged, and a cancelled body stops its source.
import { InvocationContext } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { STREAM_CHUNK_CHARS, streamedScimResponse } from '../../../shared/scim-api/streamed-scim-response.js';

function contextWithLog(): { context: InvocationContext; errors: string[] } {
  const errors: string[] = [];
  const context = new InvocationContext({ invocationId: 'i-1', logHandler: (level, ...args) => level === 'error' && errors.push(args.map(String).join(' ')) });
  return { context, errors };
}

async function bodyText(body: unknown): Promise<string> {
  let text = '';
  for await (const chunk of body as ReadableStream<Uint8Array>) text += new TextDecoder().decode(chunk);
  return text;
}

describe('streamedScimResponse', () => {
  it('reads the first piece before answering: a failure there rejects, so the endpoint answers an error envelope', async () => {
    // eslint-disable-next-line require-yield
    async function* failing(): AsyncGenerator<string> {
      await Promise.resolve();
      throw new Error('first page failed');
    }
    await expect(streamedScimResponse(contextWithLog().context, 200, failing())).rejects.toThrow('first page failed');
  });

  it('answers the status and headers with application/scim+json, and gathers small pieces into large chunks', async () => {
    let pulls = 0;
    async function* pieces(): AsyncGenerator<string> {
      for (let i = 0; i < 3_000; i++) {
        pulls++;
        await Promise.resolve();
        yield `"piece ${i} ${'x'.repeat(90)}",`;
      }
    }
    const response = await streamedScimResponse(contextWithLog().context, 200, pieces(), { ETag: 'W/"4"' });
    expect(pulls).toBe(1);
    expect(response.status).toBe(200);
    expect(response.headers).toEqual({ 'Content-Type': 'application/scim+json', ETag: 'W/"4"' });
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body as ReadableStream<Uint8Array>) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.length).toBeLessThan(10);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(STREAM_CHUNK_CHARS);
    expect(new TextDecoder().decode(Buffer.concat(chunks))).toContain('"piece 2999');
  });

  it('logs a failure after the first piece as a SCIM fault and fails the body', async () => {
    async function* pieces(): AsyncGenerator<string> {
      yield await Promise.resolve('{"members":[');
      throw new Error('page 2 failed');
    }
    const { context, errors } = contextWithLog();
    const response = await streamedScimResponse(context, 200, pieces());
    await expect(bodyText(response.body)).rejects.toThrow('page 2 failed');
    expect(errors.some((line) => /scim fault [0-9a-f]{16}/.test(line) && line.includes('page 2 failed'))).toBe(true);
  });

  it('stops reading its source when the body is cancelled', async () => {
    let stopped = false;
    async function* pieces(): AsyncGenerator<string> {
      try {
        for (;;) yield await Promise.resolve('y'.repeat(STREAM_CHUNK_CHARS));
      } finally {
        stopped = true;
      }
    }
    const response = await streamedScimResponse(contextWithLog().context, 200, pieces());
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    expect(stopped).toBe(true);
  });
});
