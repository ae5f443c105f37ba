// A minimal keep-alive HTTP/1.1 client for the benchmark (node:http with a pooled Agent): one socket per worker,
// the whole body read as text, the latency measured from sending the request to the last byte of the response.
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';

export interface HttpResult {
  /** 0 when no response arrived (connection error); `error` says why. */
  status: number;
  text: string;
  ms: number;
  error?: string;
}

export class BenchHttpClient {
  private readonly agent: Agent;

  constructor(maxSockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
    const started = performance.now();
    const allHeaders: Record<string, string | number> = { ...headers };
    if (body !== undefined) allHeaders['content-length'] = Buffer.byteLength(body);
    return new Promise<HttpResult>((resolve) => {
      const failed = (error: Error) => resolve({ status: 0, text: '', ms: performance.now() - started, error: error.message });
      const outgoing = request(url, { method, headers: allHeaders, agent: this.agent }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', failed);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
        );
      });
      outgoing.on('error', failed);
      outgoing.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Parses a JSON response body; undefined for an empty or non-JSON body. */
export function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
