// Defect 7: a garbled continuationToken on GET /api/admin/users is the caller's mistake (400, the admin JSON error),
// never a 500; a token the storage service itself refuses is mapped to the same 400.
import { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminError } from '../../shared/admin-api/admin-http.js';
import { listOrGetUsers } from '../../shared/admin-api/users-api.js';
import type { Services } from '../../shared/services.js';
import { startTestHost, type TestHost } from '../support/test-host.js';

let host: TestHost;

beforeAll(async () => {
  host = await startTestHost();
});
afterAll(async () => host.close());

const base64 = (text: string): string => Buffer.from(text).toString('base64');

async function listWithToken(token: string): Promise<{ status: number; body: any }> {
  const response = await host.admin(`/users?pageSize=5&continuationToken=${encodeURIComponent(token)}`);
  return { status: response.status, body: await response.json() };
}

describe('GET /api/admin/users?continuationToken=…', () => {
  it.each([
    ['not base64 at all', '%%%garbled***'],
    ['base64 of text that is not JSON', base64('not json')],
    ['base64 of a JSON array', base64('[1,2]')],
    ['base64 of an object without nextPartitionKey', base64('{"nextRowKey":"p:1"}')],
    ['base64 of a number as nextPartitionKey', base64('{"nextPartitionKey":5}')],
    ['base64 of an object with other members', base64('{"nextPartitionKey":"b00","evil":true}')],
    ['a token far too long', base64(JSON.stringify({ nextPartitionKey: 'b'.repeat(5000) }))],
    ['keys with control characters', base64(JSON.stringify({ nextPartitionKey: 'b\u0001', nextRowKey: 'p;\u0000' }))],
  ])('answers 400 invalidRequest for %s', async (_what, token) => {
    const { status, body } = await listWithToken(token);
    expect(status).toBe(400);
    expect(body.error.code).toBe('invalidContinuationToken');
    expect(body.error.message).toMatch(/continuationToken/);
  });

  it('maps a well-shaped token that the storage service refuses (its 400) to the same 400', async () => {
    const refusing = { contentManagerUsers: { list: () => Promise.reject(Object.assign(new Error('One of the request inputs is not valid.'), { statusCode: 400 })) } };
    const token = base64(JSON.stringify({ nextPartitionKey: 'b00', nextRowKey: 'p;x' }));
    const request = new HttpRequest({ method: 'GET', url: `https://fn.example.net/api/admin/users?continuationToken=${encodeURIComponent(token)}` });
    const error = await listOrGetUsers(request, refusing as unknown as Services).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AdminError);
    expect(error).toMatchObject({ status: 400, code: 'invalidContinuationToken' });
  });

  it('still resumes with a token it handed out', async () => {
    for (let index = 0; index < 3; index++) {
      const response = await host.admin('/users', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify([{ username: `token-walk-${index}@contoso.com`, displayName: `Walker ${index}` }]),
      });
      expect(response.status).toBe(200);
    }
    const first = await host.adminJson('/users?pageSize=2');
    expect(first.continuationToken).toEqual(expect.any(String));
    const { status, body } = await listWithToken(first.continuationToken);
    expect(status).toBe(200);
    expect(body.users.length).toBeGreaterThan(0);
  });
});
