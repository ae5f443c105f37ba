import { InvocationContext, type LogLevel } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import {
  DETAIL_MAX_LENGTH,
  FAULT_TEXT_MAX_LENGTH,
  formatRequestLogLine,
  logFault,
  logRequestOutcome,
  outcomeForStatus,
  type RequestLogEntry,
  startRequestTimer,
} from '../../../shared/observability/request-log.js';

function capture(invocationId = 'inv-1'): { context: InvocationContext; lines: [LogLevel, unknown[]][] } {
  const lines: [LogLevel, unknown[]][] = [];
  const context = new InvocationContext({
    invocationId,
    functionName: 'scimUsers',
    logHandler: (level, ...args) => lines.push([level, args]),
  });
  return { context, lines };
}

const entry: RequestLogEntry = {
  operation: 'scim.users.patch',
  status: 200,
  durationMs: 41.6,
  integrationId: 'int-7c1e',
};

describe('logRequestOutcome', () => {
  it('writes one line of JSON with the request fields, the invocation id as correlation id', () => {
    const { context, lines } = capture('5f1b0c9e-0000-4000-8000-000000000001');
    logRequestOutcome(context, entry);
    expect(lines).toHaveLength(1);
    const [level, args] = lines[0] ?? [];
    expect(level).toBe('information');
    expect(args).toHaveLength(1);
    const line = String(args?.[0]);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual({
      event: 'request',
      operation: 'scim.users.patch',
      outcome: 'success',
      status: 200,
      durationMs: 42,
      integrationId: 'int-7c1e',
      correlationId: '5f1b0c9e-0000-4000-8000-000000000001',
    });
    expect(line.startsWith('{"event":"request","operation":')).toBe(true);
  });

  it.each([
    [404, 'warning', 'clientError'],
    [429, 'warning', 'clientError'],
    [500, 'error', 'fault'],
    [0, 'error', 'fault'],
  ] as const)('logs status %i at level %s as %s', (status, level, outcome) => {
    const { context, lines } = capture();
    logRequestOutcome(context, { ...entry, status });
    expect(lines[0]?.[0]).toBe(level);
    expect(JSON.parse(String(lines[0]?.[1][0]))).toMatchObject({ outcome, status });
  });

  it('lets the caller state the outcome, e.g. a fault answered with 503', () => {
    const { context, lines } = capture();
    logRequestOutcome(context, { ...entry, status: 400, outcome: 'fault', correlationId: 'corr-1' });
    expect(lines[0]?.[0]).toBe('error');
    expect(JSON.parse(String(lines[0]?.[1][0]))).toMatchObject({ outcome: 'fault', correlationId: 'corr-1' });
  });
});

describe('formatRequestLogLine', () => {
  it('writes only the known fields: no headers, bodies or user attributes slip through', () => {
    const sneaky = {
      ...entry,
      headers: { authorization: 'Bearer abc' },
      body: { userName: 'adele@contoso.com' },
      userName: 'adele@contoso.com',
    } as RequestLogEntry;
    const line = formatRequestLogLine(sneaky);
    expect(Object.keys(JSON.parse(line) as object)).toEqual([
      'event',
      'operation',
      'outcome',
      'status',
      'durationMs',
      'integrationId',
    ]);
    expect(line).not.toMatch(/adele|Bearer|authorization/i);
  });

  it('logs ids that are not id-shaped as (invalid)', () => {
    const line = JSON.parse(
      formatRequestLogLine({
        ...entry,
        operation: 'scim users\npatch',
        integrationId: 'adele@contoso.com',
        correlationId: '"}{"injected":1',
        scimType: 'invalid Filter',
      }),
    ) as Record<string, unknown>;
    expect(line).toMatchObject({
      operation: '(invalid)',
      integrationId: '(invalid)',
      correlationId: '(invalid)',
      scimType: '(invalid)',
    });
    expect(line).not.toHaveProperty('injected');
  });

  it('masks and shortens the detail, keeps the SCIM type and Retry-After', () => {
    const line = JSON.parse(
      formatRequestLogLine({
        operation: 'graph.users.delta',
        status: 429,
        durationMs: 120,
        retryAfterMs: 30_000,
        scimType: 'tooMany',
        detail: `token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln for adele@contoso.com ${'x'.repeat(500)}`,
      }),
    ) as { detail: string; retryAfterMs: number; scimType: string };
    expect(line.detail).not.toMatch(/eyJ|adele/);
    expect(line.detail.length).toBeLessThanOrEqual(DETAIL_MAX_LENGTH);
    expect(line.detail).toMatch(/^token \*\*\* for \*\*\*@contoso\.com …$/);
    expect(line.retryAfterMs).toBe(30_000);
    expect(line.scimType).toBe('tooMany');
  });

  it('cuts a megabyte of adversarial detail before masking it (masking the whole took minutes)', () => {
    const detail = `userName ${'a.'.repeat(500_000)}@contoso.com is taken`;
    const line = JSON.parse(formatRequestLogLine({ ...entry, status: 409, detail })) as { detail: string };
    expect(line.detail).toBe('userName …');
  });

  it('keeps the duration a non-negative whole number', () => {
    expect(JSON.parse(formatRequestLogLine({ ...entry, durationMs: -3 }))).toMatchObject({ durationMs: 0 });
    expect(JSON.parse(formatRequestLogLine({ ...entry, durationMs: Number.NaN }))).toMatchObject({ durationMs: 0 });
  });
});

describe('logFault', () => {
  it('logs a cut, masked stack under the correlation id it returns', () => {
    const { context, lines } = capture();
    const error = new Error(`lookup of adele@contoso.com failed ${'x '.repeat(500_000)}`);
    const correlationId = logFault(context, 'scim', error);
    const message = String(lines[0]?.[1][0]);
    expect(lines[0]?.[0]).toBe('error');
    expect(message.startsWith(`scim fault ${correlationId}: Error: lookup of ***@contoso.com failed x x`)).toBe(true);
    expect(message.length).toBeLessThanOrEqual(FAULT_TEXT_MAX_LENGTH + 40);
    expect(message.endsWith('…')).toBe(true);
  });
});

describe('outcomeForStatus and startRequestTimer', () => {
  it('maps statuses to outcomes', () => {
    expect([200, 201, 204, 304, 400, 409, 499, 500, 503, 0, 99, 200.5].map(outcomeForStatus)).toEqual([
      'success', 'success', 'success', 'success', 'clientError', 'clientError', 'clientError',
      'fault', 'fault', 'fault', 'fault', 'fault',
    ]);
  });

  it('measures whole milliseconds', () => {
    let now = 1000;
    const elapsed = startRequestTimer(() => now);
    now = 1012.7;
    expect(elapsed()).toBe(13);
  });
});
