// Users & Groups › Users: search the Content Manager users (username, UPN, display name or e-mail), page through the
// answers, and open one to see what each data source gave it: its attributes and its groups.
import { segment } from '../api.js';
import { formatTime, h, labelled, table } from '../dom.js';
import { type Feedback, feedback } from '../feedback.js';
import type { ContentManagerUser, Integration, UserDetail } from '../../../../shared/admin-api/wire-types.js';
import { type Screen, type ScreenContext, screenHash } from './screen.js';

const PAGE_SIZE = 50;

/** A source's attribute document as rows of dotted path and text (objects opened up, lists shown as JSON). */
export function attributeRows(document: Record<string, unknown>, prefix = ''): [string, string][] {
  return Object.entries(document).flatMap(([name, value]): [string, string][] => {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return attributeRows(value as Record<string, unknown>, path);
    return [[path, typeof value === 'string' ? value : JSON.stringify(value)]];
  });
}

function searchView(context: ScreenContext, status: Feedback): HTMLElement {
  const search = h('input', { attrs: { type: 'search', autocomplete: 'off' } });
  const submit = h('button', { attrs: { type: 'submit' } }, 'Search');
  const results = h('div', { className: 'list' });
  const form = h('form', { className: 'toolbar', attrs: { role: 'search' } }, labelled('Search users', search, 'Part of a username, UPN, display name or e-mail; empty lists everyone.'), submit);

  const load = async (continuationToken: string | undefined, pageNumber: number) => {
    const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
    if (search.value.trim() !== '') query.set('search', search.value.trim());
    if (continuationToken !== undefined) query.set('continuationToken', continuationToken);
    const page = await status.run('Searching…', () => context.api.get<{ users: ContentManagerUser[]; continuationToken?: string }>(`users?${query.toString()}`), [submit]);
    if (page === undefined) return;
    status.done(`${page.users.length} user${page.users.length === 1 ? '' : 's'} on page ${pageNumber}.`);
    const next = page.continuationToken;
    const more = next === undefined ? undefined : h('button', { attrs: { type: 'button' }, on: { click: () => void load(next, pageNumber + 1) } }, 'Next page');
    if (page.users.length === 0) {
      results.replaceChildren(h('p', {}, 'No user on this page matches.'), more ?? '');
      return;
    }
    const { table: element, body } = table(`Users, page ${pageNumber}`, ['Username', 'UPN', 'Display name', 'E-mail']);
    for (const user of page.users) {
      body.append(
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'row' } }, h('a', { attrs: { href: screenHash('users', user.id) } }, user.username)),
          h('td', {}, user.upn),
          h('td', {}, user.displayName ?? ''),
          h('td', {}, user.email ?? ''),
        ),
      );
    }
    results.replaceChildren(element, more ?? '');
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load(undefined, 1);
  });
  return h('div', {}, form, results);
}

function sourceSection(source: UserDetail['sources'][number], integration: Integration | undefined): HTMLElement {
  const rows = attributeRows(source.attributes);
  const attributes = table('Attributes', ['Attribute', 'Value']);
  for (const [path, value] of rows) attributes.body.append(h('tr', {}, h('th', { attrs: { scope: 'row' } }, h('code', {}, path)), h('td', {}, value)));
  return h(
    'section',
    { className: 'source' },
    h('h4', {}, integration?.displayName ?? `Integration ${source.integrationId}`, source.deleted ? ' (deleted by this source)' : ''),
    rows.length === 0 ? h('p', {}, 'No attributes from this source.') : attributes.table,
    h('h5', {}, 'Groups'),
    source.groups.length === 0 ? h('p', {}, 'Member of no group of this source.') : h('ul', {}, ...source.groups.map((group) => h('li', {}, group.displayName))),
  );
}

async function detailView(context: ScreenContext, id: string, status: Feedback): Promise<HTMLElement | undefined> {
  const [user, integrations] = await Promise.all([status.run('Loading the user…', () => context.api.get<UserDetail>(`users/${segment(id)}`)), context.integrations()]);
  if (user === undefined) return undefined;
  const fact = (term: string, value: string | undefined) => [h('dt', {}, term), h('dd', {}, value ?? '')];
  return h(
    'article',
    { className: 'user-detail' },
    h('h3', {}, user.displayName ?? user.username),
    h('dl', {}, ...fact('Username', user.username), ...fact('UPN', user.upn), ...fact('E-mail', user.email), ...fact('Created', formatTime(user.created)), ...fact('Last modified', formatTime(user.lastModified))),
    ...(user.sources.length === 0 ? [h('p', {}, 'No data source has sent anything for this user yet.')] : user.sources.map((source) => sourceSection(source, integrations.find((i) => i.id === source.integrationId)))),
  );
}

export const usersScreen: Screen = {
  id: 'users',
  title: 'Users',
  async render(container, context, argument) {
    const status = feedback();
    if (argument === undefined) {
      container.append(status.element, searchView(context, status));
      return;
    }
    container.append(h('p', {}, h('a', { attrs: { href: screenHash('users') } }, 'Back to the user search')), status.element);
    const detail = await detailView(context, argument, status);
    if (detail !== undefined) container.append(detail);
  },
};
