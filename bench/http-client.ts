// A lean keep-alive HTTP/1.1 client for the benchmark: a pool of plain TCP connections, each carrying one request at a
// time, with a minimal response parser (status line, headers, Content-Length body). The load generator shares two
// cores with the host and Azurite, so every cycle it spends is taken from what it measures; node:http's client costs
// several times more per request. Only what the local host sends is understood: responses with Content-Length (or
// none, for 204/304), no chunked encoding.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface HttpResult {
  /** 0 when no response arrived (connection error); `error` says why. */
  status: number;
  text: string;
  ms: number;
  error?: string;
}

interface Pending {
  resolve: (result: HttpResult) => void;
  started: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** One connection: sends a request, parses one response, then takes the next. */
class Connection {
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending | undefined;
  private closed = false;

  constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(error.message));
    socket.on('close', () => this.fail('connection closed'));
  }

  get usable(): boolean {
    return !this.closed && this.pending === undefined;
  }

  send(request: string, pending: Pending): void {
    this.pending = pending;
    this.socket.write(request);
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const headerEnd = this.buffer.indexOf(HEADER_END);
    if (headerEnd < 0 || this.pending === undefined) return;
    const head = this.buffer.subarray(0, headerEnd).toString('latin1');
    const status = Number(head.slice(9, 12));
    const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    const length = lengthMatch === null ? 0 : Number(lengthMatch[1]);
    const bodyStart = headerEnd + HEADER_END.length;
    if (this.buffer.length < bodyStart + length) return;
    const text = this.buffer.subarray(bodyStart, bodyStart + length).toString('utf8');
    this.buffer = this.buffer.subarray(bodyStart + length);
    const { resolve, started } = this.pending;
    this.pending = undefined;
    if (/\r\nconnection:\s*close/i.test(head)) this.close();
    resolve({ status, text, ms: performance.now() - started });
  }

  private fail(message: string): void {
    this.closed = true;
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve({ status: 0, text: '', ms: performance.now() - pending.started, error: message });
  }
}

export class BenchHttpClient {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();

  constructor(private readonly maxSockets: number) {}

  async send(method: string, url: string, headers: Record<string, string>, body?: string): Promise<HttpResult> {
    const started = performance.now();
    const target = new URL(url);
    const payload = body === undefined ? undefined : Buffer.from(body, 'utf8');
    let head = `${method} ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: keep-alive\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += `Content-Length: ${payload?.length ?? 0}\r\n\r\n`;
    const request = payload === undefined ? head : head + payload.toString('utf8');
    let connection: Connection;
    try {
      connection = await this.acquire(target);
    } catch (error) {
      return { status: 0, text: '', ms: performance.now() - started, error: error instanceof Error ? error.message : String(error) };
    }
    const result = await new Promise<HttpResult>((resolve) => connection.send(request, { resolve, started }));
    this.release(connection);
    return result;
  }

  close(): void {
    for (const connection of this.all) connection.close();
    this.all.clear();
    this.idle.length = 0;
  }

  private async acquire(target: URL): Promise<Connection> {
    while (this.idle.length > 0) {
      const connection = this.idle.pop() as Connection;
      if (connection.usable) return connection;
      this.all.delete(connection);
    }
    if (this.all.size >= this.maxSockets) throw new Error(`more than ${this.maxSockets} requests in flight`);
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const connection = new Connection(socket);
    this.all.add(connection);
    return connection;
  }

  private release(connection: Connection): void {
    if (connection.usable) this.idle.push(connection);
    else this.all.delete(connection);
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
