// Sends the benchmark's SCIM requests: one Tenant URL and bearer token, every request timed into its phase, every
// unexpected answer (a status outside the accepted set, or a body that fails the caller's check) kept as a failure,
// grouped by phase, method and status with the first request/response of each group as a sample.
import { type BenchHttpClient, type HttpResult, parseJson } from './http-client.js';
import type { PhaseStats } from './stats.js';

export interface FailureGroup {
  phase: string;
  method: string;
  status: number;
  reason: string;
  count: number;
  sample: { url: string; requestBody?: string; responseBody: string };
}

const SAMPLE_LIMIT = 1_500;
const clip = (text: string) => (text.length > SAMPLE_LIMIT ? `${text.slice(0, SAMPLE_LIMIT)}… (${text.length} chars)` : text);

export class FailureLog {
  private readonly groups = new Map<string, FailureGroup>();
  total = 0;

  add(phase: string, method: string, url: string, requestBody: string | undefined, result: HttpResult, reason: string): void {
    this.total++;
    const key = `${phase}\u0000${method}\u0000${result.status}\u0000${reason}`;
    const existing = this.groups.get(key);
    if (existing) {
      existing.count++;
      return;
    }
    this.groups.set(key, {
      phase,
      method,
      status: result.status,
      reason,
      count: 1,
      sample: { url, ...(requestBody === undefined ? {} : { requestBody: clip(requestBody) }), responseBody: clip(result.error ?? result.text) },
    });
  }

  list(): FailureGroup[] {
    return [...this.groups.values()];
  }
}

/** Returns a problem description, or undefined when the parsed body is acceptable. */
export type BodyCheck = (body: unknown) => string | undefined;

export interface ScimCall {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the Tenant URL, starting with `/` (query string included). */
  path: string;
  body?: unknown;
  accept: readonly number[];
  check?: BodyCheck;
}

export class ScimDriver {
  private readonly headers: Record<string, string>;
  private readonly base: string;

  constructor(
    private readonly http: BenchHttpClient,
    tenantUrl: string,
    token: string,
    readonly failures: FailureLog,
  ) {
    this.base = tenantUrl.replace(/\/+$/, '');
    this.headers = { authorization: `Bearer ${token}`, accept: 'application/scim+json' };
  }

  /** Sends one request; resolves to the parsed body (and the latency) when it was accepted, undefined (and a recorded failure) when not. */
  async call(phase: PhaseStats, call: ScimCall): Promise<{ status: number; body: unknown; ms: number } | undefined> {
    const url = `${this.base}${call.path}`;
    const requestBody = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers = requestBody === undefined ? this.headers : { ...this.headers, 'content-type': 'application/scim+json; charset=utf-8' };
    const result = await this.http.send(call.method, url, headers, requestBody);
    phase.record(result.ms);
    const fail = (reason: string) => {
      phase.failures++;
      this.failures.add(phase.name, call.method, url, requestBody, result, reason);
      return undefined;
    };
    if (result.status === 0) return fail(`no response: ${result.error ?? 'unknown error'}`);
    if (!call.accept.includes(result.status)) return fail(`expected ${call.accept.join('/')}`);
    const body = parseJson(result.text);
    const problem = call.check?.(body);
    if (problem !== undefined) return fail(problem);
    return { status: result.status, body, ms: result.ms };
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A ListResponse with `expected` results; when expected is 1, Resources[0].id must be a non-empty string. */
export function listResponseWith(expected: number): BodyCheck {
  return (body) => {
    if (!isRecord(body)) return 'the body is not a JSON object';
    if (body.totalResults !== expected) return `totalResults is ${JSON.stringify(body.totalResults)}, expected ${expected}`;
    const resources = body.Resources;
    if (!Array.isArray(resources) || resources.length !== expected) return `Resources holds ${Array.isArray(resources) ? resources.length : 'no array'}, expected ${expected}`;
    if (expected > 0) {
      const first: unknown = resources[0];
      if (!isRecord(first) || typeof first.id !== 'string' || first.id === '') return 'Resources[0] has no id';
    }
    return undefined;
  };
}

/** For a 2xx that may carry the resource (200) or not (204): when a body is present, `test` must accept it. */
export function whenBody(test: (body: Record<string, unknown>) => string | undefined): BodyCheck {
  return (body) => {
    if (body === undefined) return undefined;
    if (!isRecord(body)) return 'the body is not a JSON object';
    return test(body);
  };
}
