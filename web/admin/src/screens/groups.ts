// Users & Groups › Groups: one integration's imported groups, filtered by status (enabled / disabled / all) and name,
// enabled or disabled for targeting one at a time or all selected at once. The groups of every source, with possible
// duplicates and members, are the All groups screen (all-groups.ts).
import { segment } from '../api.js';
import { formatTime, h, labelled, option, table } from '../dom.js';
import type { Feedback } from '../feedback.js';
import type { AdminGroup } from '../../../../shared/admin-api/wire-types.js';
import { drawForIntegration } from '../integration-picker.js';
import type { Screen, ScreenContext } from './screen.js';

type StatusFilter = 'all' | 'enabled' | 'disabled';

/** Switches sent at once when many groups change. */
const PARALLEL_SWITCHES = 4;

interface GroupsState {
  readonly integrationId: string;
  groups: AdminGroup[];
  readonly selected: Set<string>;
  filter: StatusFilter;
  search: string;
}

const shown = (state: GroupsState): AdminGroup[] =>
  state.groups.filter(
    (group) =>
      (state.filter === 'all' || group.enabled === (state.filter === 'enabled')) &&
      (state.search === '' || group.displayName.toLowerCase().includes(state.search.toLowerCase())),
  );

/** Switches `ids` one request each (a few at a time), counting progress; answers the failures. */
async function switchGroups(context: ScreenContext, state: GroupsState, ids: string[], enabled: boolean, status: Feedback): Promise<string[]> {
  const verb = enabled ? 'Enabling' : 'Disabling';
  const failures: string[] = [];
  let finished = 0;
  const queue = [...ids];
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      const name = state.groups.find((group) => group.id === id)?.displayName ?? id;
      try {
        const updated = await context.api.send<AdminGroup>('PATCH', `integrations/${segment(state.integrationId)}/groups/${segment(id)}`, { enabled });
        state.groups = state.groups.map((group) => (group.id === id ? { ...group, enabled: updated.enabled, lastModified: updated.lastModified ?? group.lastModified } : group));
      } catch (error) {
        failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
      finished += 1;
      status.progress(`${verb} groups… ${finished} of ${ids.length}`);
    }
  };
  status.progress(`${verb} groups… 0 of ${ids.length}`);
  await Promise.all(Array.from({ length: Math.min(PARALLEL_SWITCHES, ids.length) }, worker));
  return failures;
}

function groupsView(context: ScreenContext, state: GroupsState, status: Feedback): HTMLElement {
  const list = h('div', { className: 'list' });
  const selectedCount = h('span', { attrs: { 'aria-live': 'polite' } });
  const enableSelected = h('button', { attrs: { type: 'button' } }, 'Enable selected');
  const disableSelected = h('button', { attrs: { type: 'button' } }, 'Disable selected');
  const filter = h('select', {}, option('all', 'All', true), option('enabled', 'Enabled'), option('disabled', 'Disabled'));
  const search = h('input', { attrs: { type: 'search', autocomplete: 'off' } });

  const apply = async (ids: string[], enabled: boolean, controls: HTMLButtonElement[]) => {
    for (const control of controls) control.disabled = true;
    const failures = await switchGroups(context, state, ids, enabled, status);
    for (const control of controls) control.disabled = false;
    if (failures.length > 0) status.fail(`${failures.length} of ${ids.length} could not be ${enabled ? 'enabled' : 'disabled'}. ${failures.join(' ')}`);
    else status.done(`${enabled ? 'Enabled' : 'Disabled'} ${ids.length} group${ids.length === 1 ? '' : 's'}.`);
    state.selected.clear();
    draw();
    // The row was drawn again: keep the keyboard where it was.
    if (ids.length === 1 && ids[0] !== undefined) list.querySelector<HTMLButtonElement>(`tr[data-group-id="${CSS.escape(ids[0])}"] td:last-child button`)?.focus();
  };

  const draw = () => {
    const groups = shown(state);
    for (const id of [...state.selected]) if (!groups.some((group) => group.id === id)) state.selected.delete(id);
    selectedCount.textContent = `${state.selected.size} selected`;
    enableSelected.disabled = disableSelected.disabled = state.selected.size === 0;
    if (groups.length === 0) {
      list.replaceChildren(h('p', {}, state.groups.length === 0 ? 'This integration has imported no groups yet.' : 'No group matches the filter.'));
      return;
    }
    const selectAll = h('input', { attrs: { type: 'checkbox', 'aria-label': 'Select every group shown' } });
    selectAll.checked = groups.every((group) => state.selected.has(group.id));
    selectAll.addEventListener('change', () => {
      for (const group of groups) {
        if (selectAll.checked) state.selected.add(group.id);
        else state.selected.delete(group.id);
      }
      draw();
      list.querySelector<HTMLInputElement>('thead input')?.focus();
    });
    const { table: element, body } = table(`Groups (${groups.length} shown of ${state.groups.length})`, ['', 'Display name', 'Status', 'External id', 'Last modified', 'Targeting']);
    element.querySelector('thead th')?.replaceChildren(selectAll);
    for (const group of groups) {
      const select = h('input', { attrs: { type: 'checkbox', 'aria-label': `Select ${group.displayName}` } });
      select.checked = state.selected.has(group.id);
      select.addEventListener('change', () => {
        if (select.checked) state.selected.add(group.id);
        else state.selected.delete(group.id);
        selectedCount.textContent = `${state.selected.size} selected`;
        enableSelected.disabled = disableSelected.disabled = state.selected.size === 0;
      });
      const toggle = h('button', { attrs: { type: 'button', 'aria-label': `${group.enabled ? 'Disable' : 'Enable'} ${group.displayName}` } }, group.enabled ? 'Disable' : 'Enable');
      toggle.addEventListener('click', () => void apply([group.id], !group.enabled, [toggle]));
      body.append(
        h(
          'tr',
          { attrs: { 'data-group-id': group.id } },
          h('td', {}, select),
          h('th', { attrs: { scope: 'row' } }, group.displayName),
          h('td', { className: group.enabled ? 'enabled' : 'disabled' }, group.enabled ? 'Enabled' : 'Disabled'),
          h('td', {}, group.externalId ?? ''),
          h('td', {}, formatTime(group.lastModified)),
          h('td', {}, toggle),
        ),
      );
    }
    list.replaceChildren(element);
  };

  filter.addEventListener('change', () => {
    state.filter = filter.value as StatusFilter;
    draw();
  });
  search.addEventListener('input', () => {
    state.search = search.value.trim();
    draw();
  });
  enableSelected.addEventListener('click', () => void apply([...state.selected], true, [enableSelected, disableSelected]));
  disableSelected.addEventListener('click', () => void apply([...state.selected], false, [enableSelected, disableSelected]));
  draw();
  return h(
    'div',
    {},
    h('div', { className: 'toolbar' }, labelled('Status', filter), labelled('Name contains', search)),
    h('div', { className: 'toolbar', attrs: { role: 'group', 'aria-label': 'Selected groups' } }, selectedCount, enableSelected, disableSelected),
    list,
  );
}

export const groupsScreen: Screen = {
  id: 'groups',
  title: 'Groups',
  render: (container, context, argument) =>
    drawForIntegration(container, context, 'groups', argument, async ({ id: integrationId }, status) => {
      const answer = await status.run('Loading groups…', () => context.api.get<{ groups: AdminGroup[] }>(`integrations/${segment(integrationId)}/groups`));
      return answer && groupsView(context, { integrationId, groups: answer.groups, selected: new Set(), filter: 'all', search: '' }, status);
    }),
};
