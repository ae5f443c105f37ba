// Users & Groups › All groups: the groups of every data source in one list, filtered by status, source, kind and name,
// paged ("More groups"), switched for targeting in bulk, with possible duplicates (the same group imported by two
// sources) named on their rows and a group's members shown page by page.
import { segment } from '../api.js';
import { h, labelled, option, table } from '../dom.js';
import { type Feedback, feedback } from '../feedback.js';
import type { GroupMemberPage, SourceGroup, SourceGroupPage } from '../../../../shared/admin-api/wire-types.js';
import type { Screen, ScreenContext } from './screen.js';

const PAGE_SIZE = 50;

const duplicatesText = (group: SourceGroup): string =>
  group.possibleDuplicates.map((other) => `"${other.displayName}" (${other.reason === 'onPremisesSid' ? 'same on-premises SID' : 'same name'})`).join(', ');

function membersPanel(context: ScreenContext, group: SourceGroup): HTMLElement {
  const status = feedback();
  const list = h('ul', { className: 'members' });
  const more = h('button', { attrs: { type: 'button' } }, 'More members');
  const heading = h('h3', { attrs: { tabindex: '-1' } }, `Members of ${group.displayName}`);
  let token: string | undefined;
  const load = async () => {
    const path = `groups/${segment(group.integrationId)}/${segment(group.id)}/members?pageSize=${PAGE_SIZE}${token === undefined ? '' : `&continuationToken=${encodeURIComponent(token)}`}`;
    const page = await status.run('Loading members…', () => context.api.get<GroupMemberPage>(path), [more]);
    if (page === undefined) return;
    for (const member of page.members) list.append(h('li', {}, `${member.display ?? member.value} (${member.type === 'Group' ? 'group' : 'user'})`));
    if (list.childElementCount === 0) list.append(h('li', {}, 'No members.'));
    token = page.continuationToken;
    more.hidden = token === undefined;
  };
  more.addEventListener('click', () => void load());
  const panel = h('section', { className: 'group-members', attrs: { 'aria-label': `Members of ${group.displayName}` } }, heading, status.element, list, more);
  void load().then(() => heading.focus());
  return panel;
}

function allGroupsView(context: ScreenContext, status: Feedback, integrations: { id: string; displayName: string }[]): HTMLElement {
  const statusFilter = h('select', {}, option('all', 'All', true), option('enabled', 'Enabled'), option('disabled', 'Disabled'));
  const source = h('select', {}, option('', 'All sources', true), ...integrations.map((integration) => option(integration.id, integration.displayName)));
  const kind = h('input', { attrs: { type: 'text', autocomplete: 'off' } });
  const search = h('input', { attrs: { type: 'search', autocomplete: 'off' } });
  const apply = h('button', { attrs: { type: 'submit' } }, 'Apply filters');
  const list = h('div', { className: 'list' });
  const more = h('button', { attrs: { type: 'button' } }, 'More groups');
  const enableSelected = h('button', { attrs: { type: 'button' } }, 'Enable selected');
  const disableSelected = h('button', { attrs: { type: 'button' } }, 'Disable selected');
  const selectedCount = h('span', { attrs: { 'aria-live': 'polite' } }, '0 selected');
  const members = h('div');
  const selected = new Map<string, SourceGroup>();
  let groups: SourceGroup[] = [];
  let token: string | undefined;
  const key = (group: SourceGroup): string => `${group.integrationId}/${group.id}`;

  const showSelection = () => {
    selectedCount.textContent = `${selected.size} selected`;
    enableSelected.disabled = disableSelected.disabled = selected.size === 0;
  };
  const draw = () => {
    showSelection();
    more.hidden = token === undefined;
    if (groups.length === 0) {
      list.replaceChildren(h('p', {}, 'No group matches the filters.'));
      return;
    }
    const { table: element, body } = table(`Groups of every source (${groups.length} shown${token === undefined ? '' : ', more available'})`, ['Select', 'Display name', 'Data source', 'Kind', 'Status', 'Possible duplicates', 'Members']);
    for (const group of groups) {
      const select = h('input', { attrs: { type: 'checkbox', 'aria-label': `Select ${group.displayName} of ${group.integrationName}` } });
      select.checked = selected.has(key(group));
      select.addEventListener('change', () => {
        if (select.checked) selected.set(key(group), group);
        else selected.delete(key(group));
        showSelection();
      });
      const show = h('button', { attrs: { type: 'button', 'aria-label': `Members of ${group.displayName} (${group.integrationName})` } }, 'Members');
      show.addEventListener('click', () => members.replaceChildren(membersPanel(context, group)));
      body.append(
        h(
          'tr',
          { attrs: { 'data-group-id': group.id } },
          h('td', {}, select),
          h('th', { attrs: { scope: 'row' } }, group.displayName),
          h('td', {}, group.integrationName),
          h('td', {}, group.kind),
          h('td', { className: group.enabled ? 'enabled' : 'disabled' }, group.enabled ? 'Enabled' : 'Disabled'),
          h('td', {}, group.possibleDuplicates.length === 0 ? '' : `Possible duplicate of ${duplicatesText(group)}`),
          h('td', {}, show),
        ),
      );
    }
    list.replaceChildren(element);
  };

  const load = async (fresh: boolean) => {
    if (fresh) {
      token = undefined;
      selected.clear();
    }
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE), status: statusFilter.value });
    if (source.value !== '') query.set('integrationId', source.value);
    if (kind.value.trim() !== '') query.set('kind', kind.value.trim());
    if (search.value.trim() !== '') query.set('search', search.value.trim());
    if (token !== undefined) query.set('continuationToken', token);
    const page = await status.run('Loading groups…', () => context.api.get<SourceGroupPage>(`groups?${query.toString()}`), [apply, more]);
    if (page === undefined) return;
    groups = fresh ? page.groups : [...groups, ...page.groups];
    token = page.continuationToken;
    draw();
  };

  const switchSelected = async (enabled: boolean) => {
    const refs = [...selected.values()].map((group) => ({ integrationId: group.integrationId, groupId: group.id }));
    const outcome = await status.run(`${enabled ? 'Enabling' : 'Disabling'} ${refs.length} groups…`, () =>
      context.api.send<{ updated: unknown[]; notFound: unknown[] }>('PATCH', 'groups', { enabled, groups: refs }),
      [enableSelected, disableSelected],
    );
    if (outcome === undefined) return;
    await load(true);
    const verb = enabled ? 'Enabled' : 'Disabled';
    if (outcome.notFound.length > 0) status.fail(`${verb} ${outcome.updated.length}; ${outcome.notFound.length} no longer exist.`);
    else status.done(`${verb} ${outcome.updated.length} group${outcome.updated.length === 1 ? '' : 's'}.`);
  };

  const filters = h('form', { className: 'toolbar', attrs: { 'aria-label': 'Group filters' } }, labelled('Status', statusFilter), labelled('Data source', source), labelled('Kind', kind), labelled('Name contains', search), apply);
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void load(true);
  });
  more.addEventListener('click', () => void load(false));
  enableSelected.addEventListener('click', () => void switchSelected(true));
  disableSelected.addEventListener('click', () => void switchSelected(false));
  void load(true);
  return h('div', {}, filters, h('div', { className: 'toolbar', attrs: { role: 'group', 'aria-label': 'Selected groups' } }, selectedCount, enableSelected, disableSelected), list, more, members);
}

export const allGroupsScreen: Screen = {
  id: 'all-groups',
  title: 'All groups',
  async render(container, context) {
    const status = feedback();
    const integrations = await context.integrations();
    container.append(status.element, allGroupsView(context, status, integrations));
  },
};
