// SCIM answers whose body is written while it is being read from storage, with the HTTP streams of the Azure
// Functions Node.js v4 model (`app.setup({ enableHttpStream: true })` in functions/index.ts; a response body may be a
// ReadableStream, see https://learn.microsoft.com/azure/azure-functions/node-http-stream). The body is pulled chunk by
// chunk, so a page is read only when the text before it has been handed on. (The worker's proxy, `sendProxyResponse`
// in @azure/functions 4.16, writes each chunk without waiting for the socket to drain: against a client much slower
// than storage, chunks wait in the worker's socket buffer. Entra reads as fast as we write; the local host waits.)
// The request log line is written when the response starts; the body's own failures are logged as faults.
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { logFault } from '../observability/request-log.js';
import { SCIM_CONTENT_TYPE } from './scim-http.js';

/** Text gathered into one body chunk before it is handed to the host (pieces are pages of a few hundred KB at most). */
export const STREAM_CHUNK_CHARS = 64 * 1024;

const encoder = new TextEncoder();

/**
 * A SCIM response streaming `pieces` (JSON text). The first piece is read before answering, so whatever fails before
 * the first byte (the first storage read) still leaves as a SCIM error envelope; a fault after that is logged with a
 * correlation id and cuts the response short (the status line is out).
 */
export async function streamedScimResponse(
  context: InvocationContext,
  status: number,
  pieces: AsyncIterable<string>,
  headers: Record<string, string> = {},
): Promise<HttpResponseInit> {
  const iterator = pieces[Symbol.asyncIterator]();
  const first = await iterator.next();
  const body = ReadableStream.from(bodyChunks(first.done === true ? '' : first.value, iterator, context));
  return { status, headers: { 'Content-Type': SCIM_CONTENT_TYPE, ...headers }, body };
}

async function* bodyChunks(first: string, rest: AsyncIterator<string>, context: InvocationContext): AsyncGenerator<Uint8Array> {
  try {
    let pending = first;
    for (;;) {
      if (pending.length >= STREAM_CHUNK_CHARS) {
        yield encoder.encode(pending);
        pending = '';
      }
      const next = await rest.next();
      if (next.done === true) break;
      pending += next.value;
    }
    if (pending !== '') yield encoder.encode(pending);
  } catch (error) {
    logFault(context, 'scim', error);
    throw error;
  } finally {
    // A client that leaves early cancels the stream: the page sources stop reading.
    await rest.return?.();
  }
}
