// Which Graph groups an integration imports: its selection (every group, displayName prefixes, or explicit ids)
// narrowed by its group kinds, and the queries that list them. Prefixes compare case-insensitively, as Graph's
// startswith does; a group renamed out of its prefix, or changed to a kind not chosen, is no longer selected.
import { GRAPH_MAX_PAGE_SIZE, type GraphClient, type GraphObject, odataString } from '../graph-client.js';
import type { GraphIntegrationSettings } from '../graph-integration-settings.js';
import { classifyGroup, GROUP_KIND_PROPERTIES, groupKindSelected } from '../group-kinds.js';

/** What the sync reads of a group: its name, what its kind is made of, and the SID of the AD group it was synced from. */
export const GROUP_SELECT = ['id', 'displayName', ...GROUP_KIND_PROPERTIES, 'onPremisesSecurityIdentifier'] as const satisfies readonly [string, ...string[]];
/** What a groups delta round tracks: the same, and direct members. */
export const GROUP_DELTA_SELECT = [...GROUP_SELECT, 'members'] as const satisfies readonly [string, ...string[]];

type Selection = Pick<GraphIntegrationSettings, 'groupSelection' | 'groupKinds'>;

export function isSelected(group: GraphObject, settings: Selection): boolean {
  if (!groupKindSelected(classifyGroup(group), settings.groupKinds)) return false;
  const selection = settings.groupSelection;
  switch (selection.mode) {
    case 'all':
      return true;
    case 'groupIds':
      return selection.groupIds.includes(String(group.id).toLowerCase());
    case 'displayNamePrefixes': {
      const name = typeof group.displayName === 'string' ? group.displayName.toLowerCase() : '';
      return selection.prefixes.some((prefix) => name.startsWith(prefix.toLowerCase()));
    }
  }
}

/** The first URL of each group list of a full run; none for explicit ids (each read by id). */
export function groupListUrls(client: GraphClient, settings: Selection): string[] {
  const selection = settings.groupSelection;
  if (selection.mode === 'groupIds') return [];
  const prefixes = selection.mode === 'all' ? [undefined] : selection.prefixes;
  return prefixes.map((prefix) => {
    const filter = prefix === undefined ? undefined : `startswith(displayName,${odataString(prefix)})`;
    return client.url('/groups', { select: GROUP_SELECT, top: GRAPH_MAX_PAGE_SIZE, ...(filter === undefined ? {} : { filter }) });
  });
}
