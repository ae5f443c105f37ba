// A SCIM PATCH body is parsed and normalised at the edge, once, before the directory reads anything: a malformed body
// is a 400 that never reaches the directory (even for a resource that does not exist), and a retried write applies
// the operations parsed once.
import { describe, expect, it, vi } from 'vitest';
import type { PersonDirectory } from '../../../shared/directory/person-directory.js';
import type { SourceGroups } from '../../../shared/directory/source-groups.js';
import { ScimError } from '../../../shared/scim/errors.js';
import * as patchEngine from '../../../shared/scim/patch/index.js';
import { ScimGroupService } from '../../../shared/scim-api/group-service.js';
import { ScimUserService } from '../../../shared/scim-api/user-service.js';
import type { GroupRecord } from '../../../shared/directory/model/group-record.js';
import type { IntegrationRecord } from '../../../shared/directory/model/integration-record.js';
import type { PersonRecord } from '../../../shared/directory/model/person-record.js';

vi.mock('../../../shared/scim/patch/index.js', { spy: true });

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const integration = { id: 'int1', userProvisioning: 'matchOnly' } as IntegrationRecord;
const call = { integration, locationOf: (id: string) => `https://h/Users/${id}`, userLocationOf: (id: string) => `https://h/Users/${id}` };
const malformed = [{}, { schemas: [PATCH_OP], Operations: [] }, { schemas: [PATCH_OP], Operations: [{ op: 'jump', path: 'displayName' }] }];
const replaceTitle = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Boss' }] };

const person: PersonRecord = {
  id: 'p1',
  sources: { int1: { doc: { userName: 'a@contoso.com' }, created: '2025-01-01T00:00:00.000Z', lastModified: '2025-01-01T00:00:00.000Z' } },
  nameKeys: [],
  version: 1,
  created: '2025-01-01T00:00:00.000Z',
};
const group: GroupRecord = { id: 'g1', integrationId: 'int1', displayName: 'Team', enabled: false, created: '2025-01-01T00:00:00.000Z', lastModified: '2025-01-01T00:00:00.000Z', version: 1 };

describe('SCIM PATCH parsing', () => {
  it.each(malformed)('a malformed User PATCH %j is a 400 before the directory is called', async (body) => {
    const people = { writeSource: vi.fn(), get: vi.fn() };
    const service = new ScimUserService(people as unknown as PersonDirectory);
    const error = await service.patch(call, 'missing', body).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    expect(people.writeSource).not.toHaveBeenCalled();
    expect(people.get).not.toHaveBeenCalled();
  });

  it.each(malformed)('a malformed Group PATCH %j is a 400 before the directory is called', async (body) => {
    const groups = { change: vi.fn(), get: vi.fn(), require: vi.fn() };
    const service = new ScimGroupService(groups as unknown as SourceGroups);
    const error = await service.patch(call, 'missing', body).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScimError);
    expect((error as ScimError).status).toBe(400);
    expect(groups.change).not.toHaveBeenCalled();
    expect(groups.require).not.toHaveBeenCalled();
  });

  it('normalises a User PATCH once however often the write is retried', async () => {
    vi.mocked(patchEngine.normaliseEntraPatch).mockClear();
    const people = {
      writeSource: vi.fn((_integration: unknown, _id: string, change: (doc: Record<string, unknown>) => { doc: Record<string, unknown> }) => {
        for (let attempt = 0; attempt < 3; attempt++) change({ userName: 'a@contoso.com' }); // two lost races, then the write
        return Promise.resolve({ ...person, sources: { int1: { ...person.sources.int1!, doc: change({ userName: 'a@contoso.com' }).doc } } });
      }),
    };
    const resource = await new ScimUserService(people as unknown as PersonDirectory).patch(call, 'p1', replaceTitle);
    expect(resource.title).toBe('Boss');
    expect(patchEngine.normaliseEntraPatch).toHaveBeenCalledTimes(1);
  });

  it('normalises a Group PATCH once however often the write is retried', async () => {
    vi.mocked(patchEngine.normaliseEntraPatch).mockClear();
    const groups = {
      change: vi.fn((_integrationId: string, _id: string, compute: (current: GroupRecord) => unknown) => {
        for (let attempt = 0; attempt < 3; attempt++) compute(group);
        return Promise.resolve(group);
      }),
    };
    await new ScimGroupService(groups as unknown as SourceGroups).patch(call, 'g1', { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Team B' }] });
    expect(groups.change).toHaveBeenCalledTimes(1);
    expect(patchEngine.normaliseEntraPatch).toHaveBeenCalledTimes(1);
  });
});
