// Runs a public Postman conformance suite (../shared/conformance, see docs/conformance.md) with newman as a library,
// quietly, and turns the run summary into the set of failed assertions "<request name> :: <assertion name>" that the
// suites' tests compare with their documented allow-lists.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (test/conformance → two levels up). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where CI puts the read-only conformance data: beside the checkout, at ../shared/conformance. */
export const conformancePath = (...segments: string[]): string => resolve(REPO_ROOT, '..', 'shared', 'conformance', ...segments);

/** One deliberate difference between our answers and a suite's expectations. */
export interface AllowedFailure {
  /** "<request name> :: <assertion name>", exactly as the run reports it. */
  failure: string;
  /** What we answer instead. */
  ourAnswer: string;
  /** Why that is what we want. */
  reason: string;
  /**
   * The assertion measures something that varies from run to run (response time): it is not judged, whether it
   * passes or fails. Every other entry must fail in every run.
   */
  nondeterministic?: true;
}

// The slice of newman's (untyped) programmatic API and run summary that we use.
interface NewmanError {
  name?: string;
  message?: string;
  test?: string;
}
interface NewmanFailureRecord {
  error: NewmanError;
  at?: string;
  source?: { name?: string };
  cursor?: { ref?: string };
}
interface NewmanExecution {
  cursor?: { ref?: string };
  item?: { name?: string };
  request?: { method?: string; url?: { toString(): string } };
  response?: { code?: number; status?: string; responseTime?: number; stream?: Uint8Array };
  requestError?: NewmanError;
}
interface NewmanSummary {
  error?: NewmanError;
  run: {
    failures: NewmanFailureRecord[];
    executions: NewmanExecution[];
    stats: { requests: { total: number }; assertions: { total: number; failed: number } };
  };
}
interface NewmanRunOptions {
  collection: string | object;
  envVar?: { key: string; value: string }[];
  folder?: string[];
  reporters?: string[];
  timeoutRequest?: number;
}
type NewmanRun = (options: NewmanRunOptions, callback: (error: Error | null, summary: NewmanSummary) => void) => unknown;

const newman = createRequire(import.meta.url)('newman') as { run: NewmanRun };

/** One failed assertion (or script/request error) of a run, with the response that caused it. */
export interface SuiteFailure {
  key: string;
  message: string;
  response: string;
}

export interface SuiteRun {
  requests: number;
  assertions: number;
  failures: SuiteFailure[];
  /** The distinct failure keys, sorted. */
  failureKeys: string[];
}

const SNIPPET_CHARS = 400;

function describeExecution(execution: NewmanExecution | undefined): string {
  if (execution === undefined) return '(no request was sent)';
  const request = `${execution.request?.method ?? '?'} ${execution.request?.url?.toString() ?? '?'}`;
  if (execution.requestError !== undefined) return `${request} → request error: ${execution.requestError.message ?? execution.requestError.name ?? '?'}`;
  const response = execution.response;
  if (response === undefined) return `${request} → no response`;
  const body = response.stream === undefined ? '' : Buffer.from(response.stream).toString('utf8');
  const snippet = body.length > SNIPPET_CHARS ? `${body.slice(0, SNIPPET_CHARS)}…` : body;
  return `${request} → ${response.code ?? '?'} ${response.status ?? ''} (${response.responseTime ?? '?'} ms) ${snippet}`.trim();
}

/** Runs a collection with no reporters (nothing printed) and collects its failures. */
export async function runSuite(options: { collection: string; envVars: Record<string, string>; folders?: string[] }): Promise<SuiteRun> {
  const summary = await new Promise<NewmanSummary>((resolvePromise, reject) => {
    newman.run(
      {
        collection: options.collection,
        envVar: Object.entries(options.envVars).map(([key, value]) => ({ key, value })),
        ...(options.folders === undefined ? {} : { folder: options.folders }),
        reporters: [],
        timeoutRequest: 30_000,
      },
      (error, result) => (error ? reject(error) : resolvePromise(result)),
    );
  });
  if (summary.error !== undefined) throw new Error(`newman run failed: ${summary.error.message ?? summary.error.name ?? 'unknown error'}`);
  const executions = new Map<string, NewmanExecution>();
  for (const execution of summary.run.executions) if (execution.cursor?.ref !== undefined) executions.set(execution.cursor.ref, execution);
  const failures = summary.run.failures.map((failure): SuiteFailure => {
    const assertion = failure.error.test ?? failure.error.name ?? failure.at ?? 'unknown failure';
    const ref = failure.cursor?.ref;
    return {
      key: `${failure.source?.name ?? '(collection)'} :: ${assertion}`,
      message: failure.error.message ?? '',
      response: describeExecution(ref === undefined ? undefined : executions.get(ref)),
    };
  });
  return {
    requests: summary.run.stats.requests.total,
    assertions: summary.run.stats.assertions.total,
    failures,
    failureKeys: [...new Set(failures.map((f) => f.key))].sort(),
  };
}

/** A run judged against an allow-list: `actual` must equal `expected`; `report` explains any difference. */
export interface AllowListComparison {
  /** The run's distinct failure keys, sorted, without the nondeterministic entries. */
  actual: string[];
  /** The allow-list's keys, sorted, without the nondeterministic entries. */
  expected: string[];
  /** "" when actual equals expected; otherwise each unexpected failure with its message and response, and each allow-listed failure that now passes. */
  report: string;
  /** Nondeterministic entries that failed in this run (for information only). */
  ignored: string[];
}

export function compareWithAllowList(run: SuiteRun, allowList: readonly AllowedFailure[]): AllowListComparison {
  const ignoredKeys = new Set(allowList.filter((a) => a.nondeterministic === true).map((a) => a.failure));
  const deliberate = allowList.filter((a) => a.nondeterministic !== true);
  const expected = [...new Set(deliberate.map((a) => a.failure))].sort();
  const actual = run.failureKeys.filter((k) => !ignoredKeys.has(k));
  const expectedSet = new Set(expected);
  const actualSet = new Set(actual);
  const unexpected = run.failures.filter((f) => !expectedSet.has(f.key) && !ignoredKeys.has(f.key));
  const nowPassing = expected.filter((k) => !actualSet.has(k));
  let report = '';
  if (unexpected.length > 0 || nowPassing.length > 0) {
    const lines = [`${run.requests} requests, ${run.assertions} assertions, ${run.failures.length} failed.`];
    if (unexpected.length > 0) {
      lines.push(`Unexpected failures (${unexpected.length}): fix the server, or allow-list a deliberate difference with its reason:`);
      for (const f of unexpected) lines.push(`  ✗ ${f.key}\n      ${f.message}\n      ${f.response}`);
    }
    if (nowPassing.length > 0) {
      lines.push(`Allow-listed failures that now pass (${nowPassing.length}): remove them from the allow-list and docs/conformance.md:`);
      for (const k of nowPassing) lines.push(`  ✓ ${k}`);
    }
    report = lines.join('\n');
  }
  return { actual, expected, report, ignored: run.failureKeys.filter((k) => ignoredKeys.has(k)) };
}
