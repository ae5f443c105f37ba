// A fault-injecting HTTP proxy in front of the test run's Table endpoint. It numbers every storage call (each HTTP
// request, so each SDK retry counts) and can be armed to fail calls first..first+count-1 with one fault:
//   serverError          500 with an Azure-shaped JSON error body, nothing forwarded
//   serverBusy           503 ServerBusy, nothing forwarded
//   timeout              the request is held and never forwarded until the client gives up
//   timeoutAfterForward  forwarded and applied upstream, the answer withheld until the client gives up
//   resetBeforeForward   the connection is reset, nothing forwarded
//   resetAfterForward    forwarded and applied upstream, then the connection is reset instead of answering
// The SDK retries 5xx answers and resets by itself (up to 3 retries): a single 5xx is normally retried away, so a test
// that wants a storage call to really fail arms four calls or more (or leaves `count` out: every call until disarm()).
//
// "The client gives up" is test-only wiring: `attach` adds a policy to each TableClient pipeline that tags requests
// and hands the proxy an abort handle, so a held request is aborted at once, exactly as the SDK's own request timeout
// would abort it (an AbortError, which the SDK does not retry), without every test waiting for a real timeout. The
// same wiring swaps the SDK's retry policy for an identical one with millisecond delays (same strategies and retry
// count), so persistent faults fail fast. The product sets no client-side timeout of its own.
import { TableClient } from '@azure/data-tables';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TableClients } from '../../shared/storage/table-clients.js';

export type StorageFault = 'serverError' | 'serverBusy' | 'timeout' | 'timeoutAfterForward' | 'resetBeforeForward' | 'resetAfterForward';

export const STORAGE_FAULTS: readonly StorageFault[] = ['serverError', 'serverBusy', 'timeout', 'timeoutAfterForward', 'resetBeforeForward', 'resetAfterForward'];

/** Attempts the SDK makes for one logical storage call (1 + its default 3 retries). */
export const SDK_ATTEMPTS = 4;

export interface FaultPlan {
  fault: StorageFault;
  /** 1-based number of the first call to fail, counted since the last reset(). */
  first: number;
  /** How many consecutive calls fail; absent: every call from `first` until disarm(). */
  count?: number;
}

export interface FaultProxy {
  /** The connection string with its TableEndpoint pointing at the proxy. */
  connectionString: string;
  /** Calls seen since the last reset, as "METHOD path" (query strings left out; a batch also names its table). */
  readonly requests: string[];
  /** Numbers of the calls that were failed since the last reset. */
  readonly faulted: number[];
  /** Forgets the calls seen (numbering restarts at 1); the plan stays armed. */
  reset(): void;
  arm(plan: FaultPlan): void;
  disarm(): void;
  /** Lets held requests of these clients be given up at once and makes SDK retries fast (see above). */
  attach(tables: TableClients): void;
  close(): Promise<void>;
}

type PipelinePolicy = ReturnType<TableClient['pipeline']['getOrderedPolicies']>[number];

const REQUEST_TAG_HEADER = 'x-fault-proxy-request';
const RETRY_POLICY_NAME = 'defaultRetryPolicy';

const AZURE_ERRORS: Record<'serverError' | 'serverBusy', { status: number; code: string; message: string }> = {
  serverError: { status: 500, code: 'InternalError', message: 'Server encountered an internal error. Please try again after some time.' },
  serverBusy: { status: 503, code: 'ServerBusy', message: 'The server is currently unable to receive requests. Please retry your request.' },
};

/** The SDK's own retry policy, built by the SDK with millisecond delays (same strategies, same retry count). */
function fastRetryPolicy(connectionString: string): PipelinePolicy {
  const client = TableClient.fromConnectionString(connectionString, 'unused', { allowInsecureConnection: true, retryOptions: { retryDelayInMs: 2, maxRetryDelayInMs: 10 } });
  const policy = client.pipeline.getOrderedPolicies().find((p) => p.name === RETRY_POLICY_NAME);
  if (policy === undefined) throw new Error('the SDK pipeline has no default retry policy');
  return policy;
}

export async function startFaultProxy(connectionString: string): Promise<FaultProxy> {
  const match = /TableEndpoint=(http:\/\/[^;]+)/.exec(connectionString);
  if (match?.[1] === undefined) throw new Error('the connection string has no TableEndpoint');
  const target = new URL(match[1]);
  const upstreamAgent = new Agent({ keepAlive: true });
  const requests: string[] = [];
  const faulted: number[] = [];
  const giveUp = new Map<string, AbortController>();
  let plan: FaultPlan | undefined;
  let nextTag = 0;

  const faultFor = (call: number): StorageFault | undefined => {
    if (plan === undefined || call < plan.first) return undefined;
    return plan.count === undefined || call < plan.first + plan.count ? plan.fault : undefined;
  };

  /** Sends the request upstream and waits for its whole answer. */
  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent: upstreamAgent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: Buffer.concat(chunks) }));
          response.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const clientGivesUp = (req: IncomingMessage, res: ServerResponse): void => {
    const tag = req.headers[REQUEST_TAG_HEADER];
    const controller = typeof tag === 'string' ? giveUp.get(tag) : undefined;
    if (controller === undefined) res.socket?.destroy(); // an unattached client: cut it off instead of hanging
    else controller.abort();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    // A batch names its table only in its body: "POST /account/$batch <table>", so tests can tell batches apart.
    const batchTable = path.endsWith('/$batch') ? / http:\/\/[^ ]*\/([A-Za-z0-9]+)[( ]/.exec(body.toString('latin1'))?.[1] : undefined;
    requests.push(`${req.method ?? '?'} ${path}${batchTable === undefined ? '' : ` ${batchTable}`}`);
    const call = requests.length;
    const fault = faultFor(call);
    if (fault !== undefined) faulted.push(call);
    switch (fault) {
      case 'serverError':
      case 'serverBusy': {
        const { status, code, message } = AZURE_ERRORS[fault];
        res.writeHead(status, { 'content-type': 'application/json;odata=minimalmetadata;streaming=true;charset=utf-8', 'x-ms-error-code': code });
        res.end(JSON.stringify({ 'odata.error': { code, message: { lang: 'en-US', value: `${message}\nRequestId:fault-proxy-${call}` } } }));
        return;
      }
      case 'timeout':
        clientGivesUp(req, res);
        return;
      case 'resetBeforeForward':
        res.socket?.resetAndDestroy();
        return;
      default:
        break;
    }
    const answer = await forward(req, body);
    if (fault === 'timeoutAfterForward') return clientGivesUp(req, res);
    if (fault === 'resetAfterForward') {
      res.socket?.resetAndDestroy();
      return;
    }
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch(() => res.socket?.destroy());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const proxied = connectionString.replace(match[1], `http://127.0.0.1:${port}${target.pathname}`);
  const retryPolicy = fastRetryPolicy(proxied);
  const tagPolicy: PipelinePolicy = {
    name: 'faultProxyGiveUp',
    async sendRequest(request, next) {
      const tag = String(++nextTag);
      const controller = new AbortController();
      request.abortSignal?.addEventListener('abort', () => controller.abort());
      request.abortSignal = controller.signal;
      request.headers.set(REQUEST_TAG_HEADER, tag);
      giveUp.set(tag, controller);
      try {
        return await next(request);
      } finally {
        giveUp.delete(tag);
      }
    },
  };

  return {
    connectionString: proxied,
    requests,
    faulted,
    reset() {
      requests.splice(0);
      faulted.splice(0);
    },
    arm(next) {
      plan = next;
    },
    disarm() {
      plan = undefined;
    },
    attach(tables) {
      for (const table of Object.values(tables)) {
        const pipeline = table.pipeline;
        if (pipeline.getOrderedPolicies().some((p) => p.name === tagPolicy.name)) continue;
        pipeline.removePolicy({ name: RETRY_POLICY_NAME });
        pipeline.addPolicy(retryPolicy, { phase: 'Retry' });
        pipeline.addPolicy(tagPolicy);
      }
    },
    close: async () => {
      upstreamAgent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
