// SourceGroups.groupsOf, which the Graph sync counts a leaving person's memberships with: the source's groups a
// member is directly in, and only that source's.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parseSettings } from '../../../shared/config.js';
import { createServices, type Services } from '../../../shared/services.js';
import { dropTables } from '../../support/fresh-tables.js';

let services: Services;
beforeAll(async () => {
  services = await createServices(parseSettings({ AzureWebJobsStorage: process.env.AzureWebJobsStorage }), { tablePrefix: `t${randomBytes(5).toString('hex')}`, recordProvisioningLog: false });
});
afterAll(async () => {
  await dropTables(services.tables);
});

it("lists the source's groups a member is in", async () => {
  await services.contentManagerUsers.import([{ row: 1, username: 'ann', upn: 'ann@example.com' }], []);
  const person = await services.people.findContentManagerUser({ kind: 'upn', value: 'ann@example.com' });
  const id = person?.id ?? '';
  const a = await services.groups.create('source', { displayName: 'A' }, [{ value: id, type: 'User' }]);
  const b = await services.groups.create('source', { displayName: 'B' }, [{ value: id, type: 'User' }]);
  await services.groups.create('source', { displayName: 'C' }, []);
  await services.groups.create('other', { displayName: 'A' }, [{ value: id, type: 'User' }]);
  expect((await services.groups.groupsOf('source', id)).sort()).toEqual([a.id, b.id].sort());
  expect(await services.groups.groupsOf('source', 'nobody')).toEqual([]);
});
