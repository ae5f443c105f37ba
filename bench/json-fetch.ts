// Requests of the benchmark's untimed measurements (memory, storage round trips), over fetch: these read streamed
// (chunked) answers, which the lean load generator of http-client.ts does not parse, and their speed is not measured.
import { BenchSetupError } from './cycle.js';

export interface JsonAnswer {
  status: number;
  body: any;
}

/** Sends `body` as JSON; expects `expected` and parses the answer (undefined when empty). */
export async function fetchJson(method: string, url: string, headers: Record<string, string>, body: unknown, expected: number): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  if (response.status !== expected) throw new BenchSetupError(`${method} ${url} answered ${response.status}, expected ${expected}: ${text.slice(0, 2_000)}`);
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/** A SCIM client bound to one Tenant URL and token. */
export function scimFetch(tenantUrl: string, token: string) {
  const base = tenantUrl.replace(/\/+$/, '');
  return (method: string, path: string, body: unknown, expected: number) => fetchJson(method, `${base}${path}`, { authorization: `Bearer ${token}` }, body, expected);
}

/** Calls the admin API with the function key. */
export function adminFetch(hostUrl: string, functionsKey: string) {
  const base = `${hostUrl.replace(/\/+$/, '')}/api/admin`;
  return (method: string, path: string, body: unknown, expected: number) => fetchJson(method, `${base}${path}`, { 'x-functions-key': functionsKey }, body, expected);
}
