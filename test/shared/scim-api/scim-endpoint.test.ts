// scimEndpoint(name, operation) called directly, with real services on Azurite: authentication before the operation,
// ScimErrors as their RFC 7644 envelopes, every other failure as a 500 envelope that shows a correlation id (logged
// through the invocation context with the fault) and never the fault's message.
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest, type HttpResponseInit, InvocationContext, type LogLevel } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import { StillConflictingError } from '../../../shared/directory/errors.js';
import { scimEndpoint, type ScimOperation } from '../../../shared/scim-api/scim-endpoint.js';
import { SCIM_ERROR_SCHEMA, ScimError } from '../../../shared/scim/errors.js';
import { LocalFileSecretStore } from '../../../shared/secrets/local-file-secret-store.js';
import { createServices, type Services, useServices } from '../../../shared/services.js';

const ORIGIN = 'https://fn.example.net';

let services: Services;
let integration: { id: string; secretToken: string; tenantUrl: string };

beforeAll(async () => {
  const settings = parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage });
  const secrets = new LocalFileSecretStore(join(await mkdtemp(join(tmpdir(), 'secrets-')), 'secrets.json'));
  services = await createServices(settings, { tablePrefix: `e${randomBytes(5).toString('hex')}`, secrets });
  useServices(services);
  integration = await services.integrations.create({ displayName: 'Endpoint unit test', userProvisioning: 'matchOnly' }, ORIGIN);
});
afterAll(() => useServices(undefined));

interface Invocation {
  response: HttpResponseInit;
  body: any;
  logs: { level: LogLevel; message: string }[];
}

/** Calls the handler for `GET <Tenant URL>/Users` with the given Authorization header (none when null). */
async function invoke(operation: ScimOperation, authorization: string | null = `Bearer ${integration.secretToken}`): Promise<Invocation> {
  const logs: Invocation['logs'] = [];
  const context = new InvocationContext({
    invocationId: 'invocation-1',
    functionName: 'scimUsers',
    logHandler: (level, ...args) => logs.push({ level, message: args.map(String).join(' ') }),
  });
  const request = new HttpRequest({
    method: 'GET',
    url: `${integration.tenantUrl}/Users`,
    headers: authorization === null ? {} : { authorization },
    params: { integrationId: integration.id },
  });
  const response = await scimEndpoint('users', operation)(request, context);
  const text = typeof response.body === 'string' ? response.body : undefined;
  return { response, body: text === undefined ? undefined : JSON.parse(text), logs };
}

const headerOf = (response: HttpResponseInit, name: string): string | undefined => {
  const headers = (response.headers ?? {}) as Record<string, string>;
  const key = Object.keys(headers).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : headers[key];
};

describe('scimEndpoint', () => {
  it('runs the operation for an authenticated call, with the integration and the Tenant URL, and logs one success line', async () => {
    const operation = vi.fn<ScimOperation>((call) => Promise.resolve({ status: 200, jsonBody: { id: call.integration.id, baseUrl: call.baseUrl } }));
    const { response, logs } = await invoke(operation);
    expect(response.status).toBe(200);
    expect(operation).toHaveBeenCalledTimes(1);
    expect(operation.mock.calls[0]?.[0].integration.id).toBe(integration.id);
    expect(operation.mock.calls[0]?.[0].baseUrl).toBe(integration.tenantUrl);
    expect(response.jsonBody).toEqual({ id: integration.id, baseUrl: integration.tenantUrl });
    const line = JSON.parse(logs.find((entry) => entry.level === 'information')?.message ?? '{}');
    expect(line).toMatchObject({ event: 'request', operation: 'scim.users.get', outcome: 'success', status: 200, integrationId: integration.id });
  });

  it('a plain Error is a 500 SCIM envelope whose detail holds a correlation id and not the message; the fault is logged with that id', async () => {
    const secretish = `database exploded at row 42 for ${integration.id} with Bearer ${integration.secretToken}`;
    const { response, body, logs } = await invoke(() => {
      throw new Error(secretish);
    });
    expect(response.status).toBe(500);
    expect(headerOf(response, 'content-type')).toBe('application/scim+json');
    expect(Object.keys(body).sort()).toEqual(['detail', 'schemas', 'status']);
    expect(body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '500' });
    const correlationId = /Correlation id: ([0-9a-f]{16})\b/.exec(String(body.detail))?.[1];
    expect(correlationId, String(body.detail)).toBeDefined();
    expect(String(body.detail)).not.toContain('exploded');
    expect(JSON.stringify(response)).not.toContain('exploded');

    const fault = logs.find((entry) => entry.level === 'error' && entry.message.includes(`scim fault ${correlationId}`));
    expect(fault, JSON.stringify(logs)).toBeDefined();
    expect(fault?.message).toContain('database exploded at row 42'); // the cause is in the log, for whoever has the id
    expect(fault?.message).not.toContain(integration.secretToken); // ... masked: the token never reaches a log
    const outcome = logs.map((entry) => entry.message).find((message) => message.startsWith('{"event":"request"'));
    expect(JSON.parse(outcome ?? '{}')).toMatchObject({ operation: 'scim.users.get', outcome: 'fault', status: 500, integrationId: integration.id, correlationId });
    for (const entry of logs) expect(entry.message).not.toContain(integration.secretToken);
  });

  it('anything thrown that is not an Error (a string, undefined) is a 500 envelope too', async () => {
    for (const thrown of ['a bare string with details', undefined, { code: 'E_WEIRD' }]) {
      // A non-Error rejection is exactly what this test is about.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      const { response, body, logs } = await invoke(() => Promise.reject(thrown));
      expect(response.status).toBe(500);
      expect(body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '500' });
      expect(String(body.detail)).toMatch(/Correlation id: [0-9a-f]{16}$/);
      expect(String(body.detail)).not.toContain('bare string');
      expect(logs.some((entry) => entry.level === 'error' && entry.message.includes('scim fault'))).toBe(true);
    }
  });

  it('a write that kept losing races to other requests is a 409 envelope to retry, not a 500 fault', async () => {
    const { response, body, logs } = await invoke(() => Promise.reject(new StillConflictingError('person 0a1')));
    expect(response.status).toBe(409);
    expect(body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '409' });
    expect(String(body.detail)).toMatch(/retry/);
    expect(logs.some((entry) => entry.message.includes('scim fault'))).toBe(false);
  });

  it('a ScimError answers its status, envelope and headers, and logs a clientError line', async () => {
    const { response, body, logs } = await invoke(() => {
      throw new ScimError(409, 'A user with userName "x" already exists.', 'uniqueness', { 'Retry-After': '5' });
    });
    expect(response.status).toBe(409);
    expect(headerOf(response, 'content-type')).toBe('application/scim+json');
    expect(headerOf(response, 'retry-after')).toBe('5');
    expect(body).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: '409', scimType: 'uniqueness', detail: 'A user with userName "x" already exists.' });
    const line = JSON.parse(logs.find((entry) => entry.level === 'warning')?.message ?? '{}');
    expect(line).toMatchObject({ operation: 'scim.users.get', outcome: 'clientError', status: 409, scimType: 'uniqueness' });

    const notFound = await invoke(() => Promise.reject(new ScimError(404, 'Resource abc not found')));
    expect(notFound.response.status).toBe(404);
    expect(notFound.body).toEqual({ schemas: [SCIM_ERROR_SCHEMA], status: '404', detail: 'Resource abc not found' });
  });

  it('a missing bearer is 401 with WWW-Authenticate and a SCIM envelope; the operation never runs', async () => {
    for (const authorization of [null, '', 'Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${integration.secretToken}x`, `bearer ${randomBytes(48).toString('base64url')}`]) {
      const operation = vi.fn<ScimOperation>(() => Promise.resolve({ status: 200 }));
      const { response, body, logs } = await invoke(operation, authorization);
      expect(response.status, String(authorization)).toBe(401);
      expect(headerOf(response, 'www-authenticate'), String(authorization)).toMatch(/^Bearer realm=/);
      expect(headerOf(response, 'content-type')).toBe('application/scim+json');
      expect(body).toMatchObject({ schemas: [SCIM_ERROR_SCHEMA], status: '401' });
      expect(String(body.detail)).not.toBe('');
      expect(operation).not.toHaveBeenCalled();
      const line = JSON.parse(logs.find((entry) => entry.level === 'warning')?.message ?? '{}');
      expect(line).toMatchObject({ status: 401, outcome: 'clientError', detail: 'authentication failed' });
    }
  });

  it('a valid token presented for another integration id is 401', async () => {
    const other = await services.integrations.create({ displayName: 'Other', userProvisioning: 'matchOnly' }, ORIGIN);
    const operation = vi.fn<ScimOperation>(() => Promise.resolve({ status: 200 }));
    const { response } = await invoke(operation, `Bearer ${other.secretToken}`);
    expect(response.status).toBe(401);
    expect(operation).not.toHaveBeenCalled();
  });
});
