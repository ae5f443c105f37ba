// IntegrationService against Azurite and a LocalFileSecretStore in a temporary directory: the token lives only in
// the secret store, the table keeps its hash, and SCIM requests are authenticated against it (scim-api/authenticate.ts).
// Rotation: the grace period under an injected clock, and its atomicity with failures injected between its steps.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import { NotFoundError, StateConflictError } from '../../../shared/directory/errors.js';
import { IntegrationService, tenantUrlOf } from '../../../shared/directory/integrations.js';
import { hashSecretToken, secretTokenMatches } from '../../../shared/directory/secret-token.js';
import type * as SecretTokenModule from '../../../shared/directory/secret-token.js';
import { ScimError } from '../../../shared/scim/errors.js';
import { authenticateScimRequest } from '../../../shared/scim-api/authenticate.js';
import { LocalFileSecretStore } from '../../../shared/secrets/local-file-secret-store.js';
import { IntegrationRepository } from '../../../shared/storage/integration-repository.js';
import { createTableClients, type TableClients } from '../../../shared/storage/table-clients.js';
import { createFreshTables, dropTables } from '../../support/fresh-tables.js';

// The real comparison, observed: authentication must go through the constant-time check.
vi.mock('../../../shared/directory/secret-token.js', async (importOriginal) => {
  const actual = await importOriginal<typeof SecretTokenModule>();
  return { ...actual, secretTokenMatches: vi.fn(actual.secretTokenMatches) };
});

const BASE = 'https://scim.example.com/';
let tables: TableClients;
let dir: string;
let secretsPath: string;
let clock: number;
let service: IntegrationService;

const settings = (): ReturnType<typeof parseSettings> => parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage });
const newService = (): IntegrationService =>
  new IntegrationService(new IntegrationRepository(tables.integrations), new LocalFileSecretStore(secretsPath), () => clock);

beforeAll(async () => {
  tables = await createFreshTables();
  dir = await mkdtemp(join(tmpdir(), 'integrations-'));
  secretsPath = join(dir, 'secrets.json');
});
afterAll(async () => {
  await dropTables(tables);
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  clock = Date.parse('2025-06-01T12:00:00.000Z');
  service = newService();
});

async function expect401(promise: Promise<unknown>): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScimError);
  expect((error as ScimError).status).toBe(401);
  expect((error as ScimError).headers['WWW-Authenticate']).toMatch(/^Bearer/);
}

describe('IntegrationService: create, reveal, list', () => {
  it('creates an integration whose table row holds only the hash of its token', async () => {
    const created = await service.create({ displayName: 'Entra prod', userProvisioning: 'create' }, BASE);
    expect(created).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
      displayName: 'Entra prod',
      userProvisioning: 'create',
      tenantUrl: `https://scim.example.com/api/scim/${created.id}/v2`,
      created: '2025-06-01T12:00:00.000Z',
      lastModified: '2025-06-01T12:00:00.000Z',
      method: 'scim',
      status: 'active',
      secretToken: expect.stringMatching(/^[A-Za-z0-9_-]{64}$/) as string,
    });

    const raw = await tables.integrations.getEntity<Record<string, unknown>>('integration', created.id);
    for (const value of Object.values(raw)) expect(String(value)).not.toContain(created.secretToken);
    expect(raw.tokenHash).toBe(hashSecretToken(created.secretToken));
    // The plaintext is in the secret store, under the name the row records.
    const stored = JSON.parse(await readFile(secretsPath, 'utf8')) as Record<string, string>;
    expect(stored[String(raw.tokenSecretName)]).toBe(created.secretToken);
  });

  it('reveals the token from the secret store, and nothing for an unknown integration', async () => {
    const created = await service.create({ displayName: 'reveal', userProvisioning: 'matchOnly' }, BASE);
    expect(await service.revealToken(created.id)).toBe(created.secretToken);
    expect(await service.revealToken(randomBytes(16).toString('hex'))).toBeUndefined();
    expect(await service.revealToken('../../etc')).toBeUndefined();
  });

  it('gets and lists views without any token material', async () => {
    const created = await service.create({ displayName: 'listed', userProvisioning: 'matchOnly' }, 'https://host');
    const view = await service.get(created.id, 'https://host');
    expect(view).toEqual({ ...created, secretToken: undefined, tenantUrl: tenantUrlOf('https://host', created.id) });
    expect(Object.keys(view ?? {})).not.toContain('tokenHash');
    expect((await service.list('https://host')).map((v) => v.id)).toContain(created.id);
    expect(await service.get(randomBytes(16).toString('hex'), BASE)).toBeUndefined();
  });

  it('removes the stored token when the table write fails', async () => {
    const noTables = createTableClients(settings(), { tablePrefix: `t${randomBytes(6).toString('hex')}` }); // never created
    const failing = new IntegrationService(new IntegrationRepository(noTables.integrations), new LocalFileSecretStore(secretsPath));
    const before = JSON.parse(await readFile(secretsPath, 'utf8')) as Record<string, string>;
    await expect(failing.create({ displayName: 'doomed', userProvisioning: 'matchOnly' }, BASE)).rejects.toThrow();
    expect(JSON.parse(await readFile(secretsPath, 'utf8'))).toEqual(before);
  });

  it('builds tenant URLs without doubled slashes', () => {
    expect(tenantUrlOf('https://h/', 'abc')).toBe('https://h/api/scim/abc/v2');
    expect(tenantUrlOf('https://h///', 'abc')).toBe('https://h/api/scim/abc/v2');
    expect(tenantUrlOf('https://h', 'abc')).toBe('https://h/api/scim/abc/v2');
  });
});

describe('IntegrationService: a SCIM request authenticated by its token', () => {
  it('accepts its own token through the constant-time comparison', async () => {
    const created = await service.create({ displayName: 'auth', userProvisioning: 'matchOnly' }, BASE);
    const matches = vi.mocked(secretTokenMatches);
    matches.mockClear();
    const record = await authenticateScimRequest(service, created.id, `Bearer ${created.secretToken}`);
    expect(record.id).toBe(created.id);
    expect(matches).toHaveBeenCalledWith(created.secretToken, hashSecretToken(created.secretToken));
  });

  it('refuses missing, malformed, wrong and foreign tokens with 401', async () => {
    const mine = await service.create({ displayName: 'mine', userProvisioning: 'matchOnly' }, BASE);
    const other = await service.create({ displayName: 'other', userProvisioning: 'matchOnly' }, BASE);
    await expect401(authenticateScimRequest(service, mine.id, null));
    await expect401(authenticateScimRequest(service, mine.id, ''));
    await expect401(authenticateScimRequest(service, mine.id, 'Bearer'));
    await expect401(authenticateScimRequest(service, mine.id, `Basic ${mine.secretToken}`));
    await expect401(authenticateScimRequest(service, mine.id, `Bearer ${mine.secretToken} extra`));
    await expect401(authenticateScimRequest(service, mine.id, mine.secretToken));
    await expect401(authenticateScimRequest(service, mine.id, `Bearer ${mine.secretToken.slice(1)}`));
    await expect401(authenticateScimRequest(service, mine.id, `Bearer ${mine.secretToken.toLowerCase()}x`));
    await expect401(authenticateScimRequest(service, mine.id, `Bearer ${other.secretToken}`));
    await expect401(authenticateScimRequest(service, mine.id, `Bearer ${hashSecretToken(mine.secretToken)}`));
    await expect401(authenticateScimRequest(service, randomBytes(16).toString('hex'), `Bearer ${mine.secretToken}`));
    await expect401(authenticateScimRequest(service, 'NOT-AN-ID', `Bearer ${mine.secretToken}`));
    // The right token still works after all that.
    await expect(authenticateScimRequest(service, mine.id, `bearer ${mine.secretToken}`)).resolves.toMatchObject({ id: mine.id });
  });
});

describe('IntegrationService: rotation with a grace period', () => {
  const HOUR = 60 * 60 * 1000;

  it('issues a new token, keeps the old one accepted for 24 h by default, both only hashed at rest', async () => {
    const created = await service.create({ displayName: 'rotate', userProvisioning: 'matchOnly' }, BASE);
    await authenticateScimRequest(service, created.id, `Bearer ${created.secretToken}`); // cached
    clock += 1_000;
    const rotated = (await service.rotateToken(created.id))!;
    expect(rotated.secretToken).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(rotated.secretToken).not.toBe(created.secretToken);
    expect(rotated.previousTokenValidUntil).toBe('2025-06-02T12:00:01.000Z');

    await expect(authenticateScimRequest(service, created.id, `Bearer ${created.secretToken}`)).resolves.toMatchObject({ id: created.id });
    await expect(authenticateScimRequest(service, created.id, `Bearer ${rotated.secretToken}`)).resolves.toMatchObject({ id: created.id });
    expect(await service.revealToken(created.id)).toBe(rotated.secretToken);
    expect((await service.get(created.id, BASE))?.previousTokenValidUntil).toBe(rotated.previousTokenValidUntil);

    const raw = await tables.integrations.getEntity<Record<string, unknown>>('integration', created.id);
    expect(raw.tokenHash).toBe(hashSecretToken(rotated.secretToken));
    expect(raw.previousTokenHash).toBe(hashSecretToken(created.secretToken));
    expect(raw.lastModified).toBe('2025-06-01T12:00:01.000Z');
    for (const value of Object.values(raw)) {
      expect(String(value)).not.toContain(rotated.secretToken);
      expect(String(value)).not.toContain(created.secretToken);
    }
    // The old plaintext is gone from the secret store; the new one is under a name of its own.
    const stored = JSON.parse(await readFile(secretsPath, 'utf8')) as Record<string, string>;
    expect(Object.values(stored)).not.toContain(created.secretToken);
    expect(stored[String(raw.tokenSecretName)]).toBe(rotated.secretToken);

    clock += 24 * HOUR - 1; // the last millisecond of the grace period
    await expect(authenticateScimRequest(service, created.id, `Bearer ${created.secretToken}`)).resolves.toMatchObject({ id: created.id });
    clock += 1;
    await expect401(authenticateScimRequest(service, created.id, `Bearer ${created.secretToken}`));
    await expect(authenticateScimRequest(service, created.id, `Bearer ${rotated.secretToken}`)).resolves.toMatchObject({ id: created.id });
    expect((await service.get(created.id, BASE))?.previousTokenValidUntil).toBeUndefined();
  });

  it('takes a grace period from the caller; none ends the old token at once, a second rotation replaces the first grace', async () => {
    const created = await service.create({ displayName: 'short grace', userProvisioning: 'matchOnly' }, BASE);
    const first = (await service.rotateToken(created.id, 2 * HOUR))!;
    expect(first.previousTokenValidUntil).toBe('2025-06-01T14:00:00.000Z');
    clock += 2 * HOUR;
    await expect401(authenticateScimRequest(service, created.id, `Bearer ${created.secretToken}`));

    const second = (await service.rotateToken(created.id, 0))!;
    expect(second.previousTokenValidUntil).toBe(new Date(clock).toISOString());
    await expect401(authenticateScimRequest(service, created.id, `Bearer ${first.secretToken}`));
    await expect(authenticateScimRequest(service, created.id, `Bearer ${second.secretToken}`)).resolves.toMatchObject({ id: created.id });
  });

  it('is accepted at once by another instance that cached the row before the rotation (it reads the row again)', async () => {
    const created = await service.create({ displayName: 'two instances', userProvisioning: 'matchOnly' }, BASE);
    const other = newService();
    await authenticateScimRequest(other, created.id, `Bearer ${created.secretToken}`);
    const rotated = (await service.rotateToken(created.id))!;
    clock += 1_000;
    await expect(authenticateScimRequest(other, created.id, `Bearer ${rotated.secretToken}`)).resolves.toMatchObject({ id: created.id });
    await expect(authenticateScimRequest(other, created.id, `Bearer ${created.secretToken}`)).resolves.toMatchObject({ id: created.id });
  });

  it('reads the row again for a refused token at most once a second', async () => {
    const created = await service.create({ displayName: 'reread', userProvisioning: 'matchOnly' }, BASE);
    const repository = new IntegrationRepository(tables.integrations);
    const get = vi.spyOn(repository, 'get');
    const counted = new IntegrationService(repository, new LocalFileSecretStore(secretsPath), () => clock);
    await authenticateScimRequest(counted, created.id, `Bearer ${created.secretToken}`);
    for (let i = 0; i < 5; i++) await expect401(authenticateScimRequest(counted, created.id, 'Bearer wrong'));
    expect(get).toHaveBeenCalledTimes(1);
    clock += 1_000;
    await expect401(authenticateScimRequest(counted, created.id, 'Bearer wrong'));
    expect(get).toHaveBeenCalledTimes(2);
  });

  it('is atomic: a failed row write leaves the old token current, revealable and accepted, and no new secret behind', async () => {
    const created = await service.create({ displayName: 'atomic', userProvisioning: 'matchOnly' }, BASE);
    const repository = new IntegrationRepository(tables.integrations);
    vi.spyOn(repository, 'update').mockRejectedValueOnce(new Error('injected: storage unavailable'));
    const failing = new IntegrationService(repository, new LocalFileSecretStore(secretsPath), () => clock);
    const secretsBefore = JSON.parse(await readFile(secretsPath, 'utf8')) as Record<string, string>;

    await expect(failing.rotateToken(created.id)).rejects.toThrow('injected');

    expect(await failing.revealToken(created.id)).toBe(created.secretToken);
    await expect(authenticateScimRequest(newService(), created.id, `Bearer ${created.secretToken}`)).resolves.toMatchObject({ id: created.id });
    expect(JSON.parse(await readFile(secretsPath, 'utf8'))).toEqual(secretsBefore);
    const raw = await tables.integrations.getEntity<Record<string, unknown>>('integration', created.id);
    expect(raw.previousTokenHash).toBeUndefined();
  });

  it('is atomic when the row write happened but its answer was lost: the revealed token is the one accepted', async () => {
    const created = await service.create({ displayName: 'lost answer', userProvisioning: 'matchOnly' }, BASE);
    const repository = new IntegrationRepository(tables.integrations);
    const update = repository.update.bind(repository);
    vi.spyOn(repository, 'update').mockImplementationOnce(async (record) => {
      await update(record);
      throw new Error('injected: connection reset after the write');
    });
    const flaky = new IntegrationService(repository, new LocalFileSecretStore(secretsPath), () => clock);

    const rotated = (await flaky.rotateToken(created.id))!;
    const revealed = (await service.revealToken(created.id))!;
    expect(revealed).toBe(rotated.secretToken);
    await expect(authenticateScimRequest(newService(), created.id, `Bearer ${revealed}`)).resolves.toMatchObject({ id: created.id });
    await expect(authenticateScimRequest(newService(), created.id, `Bearer ${created.secretToken}`)).resolves.toMatchObject({ id: created.id });
  });

  it('loses no concurrent change: the row write is guarded by the ETag it read', async () => {
    const created = await service.create({ displayName: 'guarded', userProvisioning: 'matchOnly' }, BASE);
    const repository = new IntegrationRepository(tables.integrations);
    const get = repository.get.bind(repository);
    // Between the rotation's read and its write, a rename lands.
    vi.spyOn(repository, 'get').mockImplementationOnce(async (id) => {
      const read = await get(id);
      await service.rename(created.id, 'renamed meanwhile', BASE);
      return read;
    });
    const racing = new IntegrationService(repository, new LocalFileSecretStore(secretsPath), () => clock);
    await expect(racing.rotateToken(created.id)).rejects.toThrow(/changed by another request/);
    expect(await service.revealToken(created.id)).toBe(created.secretToken);
    expect((await service.get(created.id, BASE))?.displayName).toBe('renamed meanwhile');
  });

  it('answers undefined when rotating an unknown integration', async () => {
    expect(await service.rotateToken(randomBytes(16).toString('hex'))).toBeUndefined();
  });
});

describe('IntegrationService: rename and the deleting state', () => {
  it('renames, keeping the token and the Tenant URL; NotFoundError for an unknown integration', async () => {
    const created = await service.create({ displayName: 'before', userProvisioning: 'matchOnly' }, BASE);
    clock += 5_000;
    const renamed = await service.rename(created.id, 'after', BASE);
    expect(renamed).toMatchObject({ id: created.id, displayName: 'after', tenantUrl: created.tenantUrl, lastModified: '2025-06-01T12:00:05.000Z', status: 'active' });
    expect(await service.revealToken(created.id)).toBe(created.secretToken);
    await expect(service.rename(randomBytes(16).toString('hex'), 'x', BASE)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses every token of an integration marked deleting, and its reveal, rotation and rename', async () => {
    const created = await service.create({ displayName: 'doomed', userProvisioning: 'matchOnly' }, BASE);
    await authenticateScimRequest(service, created.id, `Bearer ${created.secretToken}`);
    const repository = new IntegrationRepository(tables.integrations);
    const record = (await repository.get(created.id))!;
    await repository.update({ ...record, status: 'deleting', deletion: JSON.stringify({ since: new Date(clock).toISOString(), phase: 'targeting', people: 0, rows: 0 }) });
    service.forget(created.id);

    await expect401(authenticateScimRequest(service, created.id, `Bearer ${created.secretToken}`));
    expect(await service.get(created.id, BASE)).toMatchObject({ status: 'deleting', deletion: { phase: 'targeting', people: 0, rows: 0 } });
    await expect(service.revealToken(created.id)).rejects.toBeInstanceOf(StateConflictError);
    await expect(service.rotateToken(created.id)).rejects.toBeInstanceOf(StateConflictError);
    await expect(service.rename(created.id, 'saved?', BASE)).rejects.toBeInstanceOf(StateConflictError);
  });
});
