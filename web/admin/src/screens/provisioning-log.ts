// Provisioning log: what one integration's SCIM writes and Graph changes did, newest first, queried by resource id
// and time range (the reader's local time; empty ends default to what retention keeps), page by page ("More
// entries"). A resource id on a row narrows the log to that resource.
import { segment } from '../api.js';
import { formatTime, h, labelled, table } from '../dom.js';
import type { Feedback } from '../feedback.js';
import type { Integration, ProvisioningLogEntry, ProvisioningLogPage } from '../../../../shared/admin-api/wire-types.js';
import { drawForIntegration } from '../integration-picker.js';
import type { Screen, ScreenContext } from './screen.js';

const PAGE_SIZE = 25;

const OUTCOMES: Record<ProvisioningLogEntry['outcome'], string> = { success: 'Success', clientError: 'Refused', fault: 'Fault' };

/** A `datetime-local` value (the reader's time zone) as an ISO date-time with its offset; '' when empty. */
function isoTime(input: HTMLInputElement, name: string): string {
  if (input.value === '') return '';
  const time = new Date(input.value);
  if (Number.isNaN(time.getTime())) throw new Error(`${name} is not a date and time.`);
  return time.toISOString();
}

function logView(context: ScreenContext, integration: Integration, status: Feedback): HTMLElement {
  const resource = h('input', { attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '256' } });
  const from = h('input', { attrs: { type: 'datetime-local', step: '1' } });
  const to = h('input', { attrs: { type: 'datetime-local', step: '1' } });
  const submit = h('button', { attrs: { type: 'submit' } }, 'Show entries');
  const list = h('div', { className: 'list' });
  const more = h('button', { attrs: { type: 'button' } }, 'More entries');
  more.hidden = true;
  let entries: ProvisioningLogEntry[] = [];
  let token: string | undefined;

  const only = (id: string) => {
    resource.value = id;
    void load(true).then(() => resource.focus());
  };

  const draw = (page: ProvisioningLogPage) => {
    more.hidden = token === undefined;
    if (entries.length === 0) {
      list.replaceChildren(h('p', {}, `No entries from ${formatTime(page.from)} to ${formatTime(page.to)}${resource.value.trim() === '' ? '' : ' for this resource'}.`));
      return;
    }
    const caption = `Provisioning log of ${integration.displayName}, ${formatTime(page.from)} to ${formatTime(page.to)} (${entries.length} shown${token === undefined ? '' : ', more available'})`;
    const { table: element, body } = table(caption, ['Time', 'Source', 'Operation', 'Resource', 'Status', 'Outcome', 'Correlation id']);
    for (const entry of entries) {
      const resourceId = entry.resourceId;
      body.append(
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'row' } }, formatTime(entry.at)),
          h('td', {}, entry.source === 'graph' ? 'Graph' : 'SCIM'),
          h('td', {}, entry.operation),
          h(
            'td',
            {},
            entry.resourceType,
            entry.displayName === null ? '' : ` ${entry.displayName}`,
            resourceId === null
              ? ''
              : h('span', { className: 'resource-id' }, h('code', {}, resourceId), ' ', h('button', { attrs: { type: 'button', 'aria-label': `Only this resource (${resourceId})` }, on: { click: () => only(resourceId) } }, 'Only this')),
          ),
          h('td', {}, entry.status === null ? '' : String(entry.status)),
          h('td', { className: entry.outcome === 'success' ? 'enabled' : 'failed' }, OUTCOMES[entry.outcome], entry.errorType === null ? '' : ` (${entry.errorType})`),
          h('td', {}, h('code', {}, entry.correlationId)),
        ),
      );
    }
    list.replaceChildren(element);
  };

  const load = async (fresh: boolean) => {
    const page = await status.run(
      'Loading the provisioning log…',
      () => {
        const query = new URLSearchParams({ pageSize: String(PAGE_SIZE) });
        const times = { from: isoTime(from, 'From'), to: isoTime(to, 'To') };
        if (times.from !== '') query.set('from', times.from);
        if (times.to !== '') query.set('to', times.to);
        if (resource.value.trim() !== '') query.set('resource', resource.value.trim());
        if (!fresh && token !== undefined) query.set('continuationToken', token);
        return context.api.get<ProvisioningLogPage>(`integrations/${segment(integration.id)}/provisioning-log?${query.toString()}`);
      },
      [submit, more],
    );
    if (page === undefined) return;
    entries = fresh ? page.entries : [...entries, ...page.entries];
    token = page.continuationToken;
    draw(page);
  };

  const form = h(
    'form',
    { className: 'toolbar', attrs: { 'aria-label': 'Provisioning log query' } },
    labelled('Resource id', resource, 'A user or group id; empty shows every resource.'),
    labelled('From', from, 'Your local time; empty: as far back as the log keeps.'),
    labelled('To', to, 'Empty: now.'),
    submit,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void load(true);
  });
  more.addEventListener('click', () => void load(false));
  void load(true);
  return h('div', {}, form, list, more);
}

export const provisioningLogScreen: Screen = {
  id: 'log',
  title: 'Provisioning log',
  render: (container, context, argument) => drawForIntegration(container, context, 'log', argument, (integration, status) => Promise.resolve(logView(context, integration, status))),
};
