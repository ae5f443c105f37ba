// Management › Integrations: create one with a display name (its Tenant URL and Secret Token shown at once), list them
// with the Tenant URL, the Secret Token revealed on double-click, the status (the old token's grace period after a
// rotation, a deletion's progress) and last activity, and the actions of integration-actions.ts: rename, regenerate
// the token with a grace period, check the connection, delete.
import { formatTime, h, labelled, option, table } from '../dom.js';
import { type Feedback, feedback } from '../feedback.js';
import { secretTokenView } from '../secret-token.js';
import type { CreatedIntegration, Integration } from '../../../../shared/admin-api/wire-types.js';
import { activityCell, checkButton, deleteButton, renameButton, rotateButton, type RowActions, statusText } from './integration-actions.js';
import { type Screen, type ScreenContext, screenHash } from './screen.js';

const PROVISIONING_LABELS: Record<Integration['userProvisioning'], string> = {
  matchOnly: 'Match only: Entra updates existing Content Manager users',
  create: 'Create: Entra may also create Content Manager users',
};

function createForm(context: ScreenContext, status: Feedback, created: HTMLElement, redrawList: () => Promise<void>): HTMLFormElement {
  const name = h('input', { attrs: { type: 'text', required: '', maxlength: '256', autocomplete: 'off' } });
  const provisioning = h('select', {}, option('matchOnly', PROVISIONING_LABELS.matchOnly, true), option('create', PROVISIONING_LABELS.create));
  const submit = h('button', { attrs: { type: 'submit' } }, 'Create integration');
  const form = h(
    'form',
    { className: 'create-integration' },
    h('fieldset', {}, h('legend', {}, 'New integration'), labelled('Display name', name), labelled('User provisioning', provisioning), submit),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const answer = await status.run(
        'Creating the integration…',
        () => context.api.send<CreatedIntegration>('POST', 'integrations', { displayName: name.value, userProvisioning: provisioning.value }),
        [submit, name, provisioning],
      );
      if (answer === undefined) return;
      form.reset();
      created.replaceChildren(createdPanel(answer));
      await redrawList();
      status.done(`Created ${answer.displayName}.`);
      created.querySelector('h3')?.focus();
    })();
  });
  return form;
}

function readOnlyField(label: string, value: string): HTMLElement {
  const field = h('input', { className: 'token', attrs: { type: 'text', readonly: '', spellcheck: 'false' } });
  field.value = value;
  return labelled(label, field);
}

function createdPanel(integration: CreatedIntegration): HTMLElement {
  return h(
    'section',
    { className: 'created', attrs: { 'aria-label': 'New integration' } },
    h('h3', { attrs: { tabindex: '-1' } }, `${integration.displayName} is ready`),
    h('p', {}, 'In the Entra enterprise application: Provisioning › Admin Credentials, paste these two values, then Test Connection.'),
    readOnlyField('Tenant URL', integration.tenantUrl),
    readOnlyField('Secret Token', integration.secretToken),
  );
}

function integrationRow(integration: Integration, actions: RowActions): HTMLTableRowElement {
  const deleting = integration.status === 'deleting';
  const scim = integration.method !== 'graph';
  const token = secretTokenView(integration, actions.context.api, actions.status);
  return h(
    'tr',
    { attrs: { 'data-integration-id': integration.id } },
    h('th', { attrs: { scope: 'row' } }, integration.displayName),
    h('td', {}, h('code', { className: 'url' }, integration.tenantUrl)),
    h('td', {}, scim && !deleting ? token.element : ''),
    h('td', {}, integration.userProvisioning === 'create' ? 'Create' : 'Match only'),
    h('td', {}, formatTime(integration.created)),
    h('td', { className: 'state' }, statusText(integration)),
    activityCell(integration, actions),
    h(
      'td',
      { className: 'actions' },
      ...(deleting
        ? []
        : [
            h('a', { attrs: { href: screenHash('groups', integration.id) } }, 'Groups'),
            h('a', { attrs: { href: screenHash('attributes', integration.id) } }, 'Attributes'),
            h('a', { attrs: { href: screenHash('log', integration.id) } }, 'Provisioning log'),
            !scim && h('a', { attrs: { href: screenHash('sync-runs', integration.id) } }, 'Sync runs'),
            renameButton(integration, actions),
            ...(scim ? [rotateButton(integration, token, actions), checkButton(integration, actions)] : []),
            deleteButton(integration, actions),
          ]),
    ),
  );
}

async function drawList(context: ScreenContext, status: Feedback, slot: HTMLElement): Promise<void> {
  const integrations = await status.run('Loading integrations…', () => context.api.get<{ integrations: Integration[] }>('integrations'));
  if (integrations === undefined) return;
  if (integrations.integrations.length === 0) {
    slot.replaceChildren(h('p', {}, 'No integrations yet. Create one above for each Entra tenant (data source).'));
    return;
  }
  const { table: element, body } = table('Integrations', ['Display name', 'Tenant URL', 'Secret Token', 'User provisioning', 'Created', 'Status', 'Activity', 'Actions']);
  const actions: RowActions = { context, status, redraw: () => drawList(context, status, slot) };
  for (const integration of integrations.integrations) body.append(integrationRow(integration, actions));
  slot.replaceChildren(element);
}

export const integrationsScreen: Screen = {
  id: 'integrations',
  title: 'Integrations',
  async render(container, context) {
    const status = feedback();
    const created = h('div');
    const list = h('div', { className: 'list' });
    const redrawList = () => drawList(context, status, list);
    container.append(createForm(context, status, created, redrawList), created, status.element, list);
    await redrawList();
  },
};
