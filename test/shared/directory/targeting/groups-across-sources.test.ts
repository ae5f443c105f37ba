// Possible duplicates by on-premises SID: groups of two sources carrying the same SID (Graph groups do) are shown as
// possible duplicates of each other even when their names differ. (The group store here is an in-memory stand-in for
// the GroupStore interface; the name check against storage is covered over HTTP in test/functions.)
import { describe, expect, it } from 'vitest';
import type { GroupRecord } from '../../../../shared/directory/model/group-record.js';
import type { IntegrationRecord } from '../../../../shared/directory/model/integration-record.js';
import type { GroupStore } from '../../../../shared/directory/model/stores.js';
import { GroupsAcrossSources } from '../../../../shared/directory/targeting/groups-across-sources.js';

const group = (integrationId: string, id: string, displayName: string, sid?: string): GroupRecord & { onPremisesSecurityIdentifier?: string; kind?: string } => ({
  id,
  integrationId,
  displayName,
  enabled: false,
  created: '',
  lastModified: '',
  version: 1,
  kind: 'security',
  ...(sid === undefined ? {} : { onPremisesSecurityIdentifier: sid }),
});

const records = [group('a', 'g1', 'Sales (AD)', 'S-1-5-21-1'), group('a', 'g2', 'Finance'), group('b', 'g3', 'Sales', 'S-1-5-21-1'), group('b', 'g4', 'Other', 'S-1-5-21-2')];
const store = {
  list: (integrationId: string) => records.filter((record) => record.integrationId === integrationId),
  findByDisplayName: (integrationId: string, name: string) => Promise.resolve(records.find((record) => record.integrationId === integrationId && record.displayName.toLowerCase() === name.toLowerCase())),
  findByOnPremisesSid: (integrationId: string, sid: string) => Promise.resolve(records.filter((record) => record.integrationId === integrationId && record.onPremisesSecurityIdentifier === sid)),
} as unknown as GroupStore;
const integrations = [{ id: 'a', displayName: 'AD' }, { id: 'b', displayName: 'Entra' }] as IntegrationRecord[];
const across = new GroupsAcrossSources(store, { setEnabled: () => Promise.resolve(undefined) }, { groupsOf: () => Promise.resolve([]) }, { page: () => Promise.resolve({ members: [] }) }, () => Promise.resolve(integrations));

describe('groups across sources', () => {
  it('names groups of other sources with the same on-premises SID as possible duplicates, and reads the kind a record carries', async () => {
    const { groups } = await across.list({ status: 'all', pageSize: 10 });
    const byId = new Map(groups.map((item) => [item.id, item]));
    expect(byId.get('g1')?.possibleDuplicates).toEqual([{ integrationId: 'b', groupId: 'g3', displayName: 'Sales', reason: 'onPremisesSid' }]);
    expect(byId.get('g3')?.possibleDuplicates).toEqual([{ integrationId: 'a', groupId: 'g1', displayName: 'Sales (AD)', reason: 'onPremisesSid' }]);
    expect(byId.get('g4')?.possibleDuplicates).toEqual([]);
    expect((await across.list({ status: 'all', pageSize: 10, kind: 'security' })).groups).toHaveLength(4);
  });

  it('finds the group of another source with the same SID on another page', async () => {
    const { groups } = await across.list({ status: 'all', pageSize: 1 });
    expect(groups.map((item) => [item.id, item.possibleDuplicates])).toEqual([['g1', [{ integrationId: 'b', groupId: 'g3', displayName: 'Sales', reason: 'onPremisesSid' }]]]);
  });

  it('pages in (integration, group) order', async () => {
    const first = await across.list({ status: 'all', pageSize: 3 });
    expect(first.groups.map((item) => item.id)).toEqual(['g1', 'g2', 'g3']);
    expect(first.last).toEqual({ integrationId: 'b', groupId: 'g3' });
    const rest = await across.list({ status: 'all', pageSize: 3, after: first.last });
    expect(rest.groups.map((item) => item.id)).toEqual(['g4']);
    expect(rest.last).toBeUndefined();
  });
});
