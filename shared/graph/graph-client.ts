// A small Microsoft Graph client over plain fetch: bearer tokens from a GraphAccessTokenSource, explicit $select on
// every query, @odata.nextLink followed to the end with ConsistencyLevel re-sent on each page (Graph does not carry
// headers into its links), 429/503/504 retried after Retry-After or a jittered exponential backoff, and every request,
// retry and wait counted for the run report. Plain fetch rather than the Graph SDK: the sync reads a handful of
// endpoint shapes, the v3 SDK has had no release since 2024 and the Kiota SDK is still a large ESM-only preview
// (../shared/graph-sync.md 3.3), and a plain client is what the fake at the HTTP boundary exercises unchanged.
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { graphApiRoot, type GraphCloud } from './graph-cloud.js';
import type { GraphAccessTokenSource } from './graph-credentials.js';
import { graphErrorFromResponse, GraphThrottledError, malformedResponseError } from './graph-errors.js';
import { DEFAULT_GRAPH_RETRY_OPTIONS, type GraphRetryOptions, isRetriedStatus, retryDelayInMs } from './graph-retry-policy.js';

/** A Graph object as JSON: its properties by Graph's own names. */
export type GraphObject = Readonly<Record<string, unknown>>;

/** What a run reports about its Graph traffic. */
export interface GraphRequestCounters {
  /** HTTP requests sent to Graph, retries included. */
  requests: number;
  /** Pages (successful answers) read. */
  pages: number;
  /** 429, 503 and 504 answers received. */
  throttledResponses: number;
  retries: number;
  /** Total time spent waiting before retries. */
  throttledWaitInMs: number;
}

export function emptyGraphRequestCounters(): GraphRequestCounters {
  return { requests: 0, pages: 0, throttledResponses: 0, retries: 0, throttledWaitInMs: 0 };
}

/** The largest $top Graph accepts on /users, /groups and member lists. */
export const GRAPH_MAX_PAGE_SIZE = 999;

export interface GraphQuery {
  /** Always explicit: Graph returns only what is named (and a default set when nothing is). */
  readonly select: readonly [string, ...string[]];
  readonly filter?: string;
  readonly top?: number;
  /** $count=true; only honoured with ConsistencyLevel: eventual (an advanced query). */
  readonly count?: boolean;
}

export interface GraphRequestOptions {
  /** An advanced query (casts, $count, $search): sends ConsistencyLevel: eventual, on every page. */
  readonly advancedQuery?: boolean;
  /** A Prefer header, e.g. return=minimal on delta. */
  readonly prefer?: string;
}

export interface GraphPage {
  readonly value: readonly GraphObject[];
  readonly nextLink: string | undefined;
  readonly deltaLink: string | undefined;
  /** @odata.count, on the first page of an advanced query with $count=true. */
  readonly count: number | undefined;
}

export interface GraphClientOptions {
  readonly cloud: GraphCloud;
  readonly tokens: GraphAccessTokenSource;
  /** Defaults to the global fetch, looked up on each call. */
  readonly fetch?: typeof fetch;
  /** Defaults to a real timer; tests pass one that records the wait and returns at once. */
  readonly sleep?: (milliseconds: number) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
  readonly retry?: Partial<GraphRetryOptions>;
  /** Counters to add to; a new set when absent. */
  readonly counters?: GraphRequestCounters;
}

/** An OData string literal: quotes doubled, as `startswith(displayName,'O''Brien')` needs. */
export function odataString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function encodeQueryValue(value: string): string {
  return encodeURIComponent(value).replaceAll('%2C', ',');
}

function isGraphObject(value: unknown): value is GraphObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export class GraphClient {
  readonly cloud: GraphCloud;
  readonly counters: GraphRequestCounters;
  private readonly apiRoot: string;
  private readonly tokens: GraphAccessTokenSource;
  private readonly retry: GraphRetryOptions;
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly sleep: (milliseconds: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(options: GraphClientOptions) {
    this.cloud = options.cloud;
    this.apiRoot = graphApiRoot(options.cloud);
    this.tokens = options.tokens;
    this.retry = { ...DEFAULT_GRAPH_RETRY_OPTIONS, ...options.retry };
    this.fetchImpl = options.fetch;
    this.sleep = options.sleep ?? ((milliseconds) => delay(milliseconds));
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.counters = options.counters ?? emptyGraphRequestCounters();
  }

  /** The absolute URL of `path` (e.g. `/users`) with the query; $select is required and never empty. */
  url(path: string, query: GraphQuery): string {
    if (query.select.length === 0 || query.select.some((name) => name.trim() === '')) throw new RangeError('$select must name at least one property');
    if (query.top !== undefined && (!Number.isInteger(query.top) || query.top < 1 || query.top > GRAPH_MAX_PAGE_SIZE)) {
      throw new RangeError(`$top must be between 1 and ${GRAPH_MAX_PAGE_SIZE}`);
    }
    const parts = [`$select=${encodeQueryValue([...new Set(query.select)].join(','))}`];
    if (query.filter !== undefined) parts.push(`$filter=${encodeQueryValue(query.filter)}`);
    if (query.top !== undefined) parts.push(`$top=${query.top}`);
    if (query.count === true) parts.push('$count=true');
    return `${this.apiRoot}${path.startsWith('/') ? path : `/${path}`}?${parts.join('&')}`;
  }

  /** One page at `url` (built by url(), or a nextLink/deltaLink as Graph returned it). */
  async getPage(url: string, options: GraphRequestOptions = {}): Promise<GraphPage> {
    const body = await this.getJson(url, options);
    const value = body.value;
    if (!Array.isArray(value) || !value.every(isGraphObject)) throw malformedResponseError(url, 'a page without a value array');
    return {
      value,
      nextLink: typeof body['@odata.nextLink'] === 'string' ? body['@odata.nextLink'] : undefined,
      deltaLink: typeof body['@odata.deltaLink'] === 'string' ? body['@odata.deltaLink'] : undefined,
      count: typeof body['@odata.count'] === 'number' ? body['@odata.count'] : undefined,
    };
  }

  /** Every page from `url` on, following @odata.nextLink to the end (an empty page with a nextLink is not the end). */
  async *pages(url: string, options: GraphRequestOptions = {}): AsyncGenerator<GraphPage> {
    let next: string | undefined = url;
    while (next !== undefined) {
      const page: GraphPage = await this.getPage(next, options);
      yield page;
      next = page.nextLink;
    }
  }

  /** Every object from `url` on, across all pages. */
  async *objects(url: string, options: GraphRequestOptions = {}): AsyncGenerator<GraphObject> {
    for await (const page of this.pages(url, options)) yield* page.value;
  }

  /** One GET answered with a JSON object, retried on 429/503/504 and on network failures within the bounds. */
  async getJson(url: string, options: GraphRequestOptions = {}): Promise<Record<string, unknown>> {
    this.assertGraphUrl(url);
    for (let attempt = 1; ; attempt += 1) {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${await this.tokens.getAccessToken()}`,
        Accept: 'application/json',
        'client-request-id': randomUUID(),
      };
      if (options.advancedQuery === true) headers.ConsistencyLevel = 'eventual';
      if (options.prefer !== undefined) headers.Prefer = options.prefer;
      this.counters.requests += 1;
      let response: Response;
      try {
        response = await (this.fetchImpl ?? fetch)(url, { method: 'GET', headers });
      } catch (error) {
        if (attempt >= this.retry.maxAttempts) throw error;
        await this.waitBeforeRetry(null, attempt);
        continue;
      }
      if (response.ok) {
        const body: unknown = await response.json().catch(() => undefined);
        if (!isGraphObject(body)) throw malformedResponseError(url, 'an answer that is not a JSON object', response);
        this.counters.pages += 1;
        return body;
      }
      if (isRetriedStatus(response.status)) {
        this.counters.throttledResponses += 1;
        if (attempt < this.retry.maxAttempts) {
          await response.arrayBuffer().catch(() => undefined);
          await this.waitBeforeRetry(response.headers.get('retry-after'), attempt);
          continue;
        }
      }
      const error = graphErrorFromResponse(response, await response.text(), 'GET', url);
      throw isRetriedStatus(response.status)
        ? new GraphThrottledError(error, `${error.message}; gave up after ${attempt} tries`)
        : error;
    }
  }

  private async waitBeforeRetry(retryAfter: string | null, attempt: number): Promise<void> {
    const wait = retryDelayInMs(retryAfter, attempt, this.retry, this.random, this.now());
    this.counters.retries += 1;
    this.counters.throttledWaitInMs += wait;
    await this.sleep(wait);
  }

  /** The bearer token goes to this cloud's Graph only, whatever a link says. */
  private assertGraphUrl(url: string): void {
    if (!url.startsWith(`${this.apiRoot}/`)) throw new RangeError(`refusing to send a Graph token outside ${this.apiRoot}: ${new URL(url).origin}`);
  }
}
