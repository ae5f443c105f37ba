// The actions on one integration of the Integrations screen: rename, regenerate the Secret Token with a grace period
// for the old one, check the connection as Entra's Test Connection does, delete with everything it imported (typed
// confirmation), and its last activity. Each shows its progress and outcome in the screen's feedback line.
import { segment } from '../api.js';
import { formatTime, h, labelled, option } from '../dom.js';
import { confirmAction, type Feedback } from '../feedback.js';
import type { SecretTokenView } from '../secret-token.js';
import type { ConnectionCheck, Integration, IntegrationActivity, RotatedToken } from '../../../../shared/admin-api/wire-types.js';
import type { ScreenContext } from './screen.js';

export interface RowActions {
  readonly context: ScreenContext;
  readonly status: Feedback;
  /** Draws the list again (after a rename or a delete). */
  readonly redraw: () => Promise<void>;
}

const path = (integration: Integration, rest = ''): string => `integrations/${segment(integration.id)}${rest}`;

function actionButton(label: string, name: string, onClick: (button: HTMLButtonElement) => Promise<void>, className?: string): HTMLButtonElement {
  const button = h('button', { ...(className === undefined ? {} : { className }), attrs: { type: 'button', 'aria-label': `${label} ${name}` } }, label);
  button.addEventListener('click', () => void onClick(button));
  return button;
}

export function renameButton(integration: Integration, actions: RowActions): HTMLButtonElement {
  return actionButton('Rename', integration.displayName, async (button) => {
    const field = h('input', { attrs: { type: 'text', required: '', maxlength: '256', autocomplete: 'off' } });
    field.value = integration.displayName;
    if (!(await confirmAction(`Rename ${integration.displayName}`, 'The Tenant URL and the Secret Token stay as they are.', 'Rename', labelled('New display name', field)))) return;
    const answer = await actions.status.run('Renaming…', () => actions.context.api.send<Integration>('PATCH', path(integration), { displayName: field.value }), [button]);
    if (answer === undefined) return;
    await actions.redraw();
    actions.status.done(`Renamed to ${answer.displayName}.`);
  });
}

/** Grace periods offered for the old token (hours); the API's default is 24. */
const GRACE_CHOICES: [number, string][] = [
  [0, 'None: the old token stops at once'],
  [1, '1 hour'],
  [24, '24 hours'],
  [168, '7 days'],
];

export function rotateButton(integration: Integration, token: SecretTokenView, actions: RowActions): HTMLButtonElement {
  return actionButton('Regenerate token', integration.displayName, async (button) => {
    const grace = h('select', {}, ...GRACE_CHOICES.map(([hours, text]) => option(String(hours), text, hours === 24)));
    const confirmed = await confirmAction(
      `Regenerate the Secret Token of ${integration.displayName}?`,
      'Paste the new token into the Entra enterprise application (Provisioning › Admin Credentials). The old token keeps working for the grace period you choose, so provisioning has no gap meanwhile.',
      'Regenerate token',
      labelled('Old token keeps working for', grace),
    );
    if (!confirmed) return;
    const answer = await actions.status.run(
      'Regenerating the Secret Token…',
      () => actions.context.api.send<RotatedToken>('POST', path(integration, '/secret-token/rotate'), { gracePeriodHours: Number(grace.value) }),
      [button],
    );
    if (answer === undefined) return;
    token.show(answer.secretToken);
    const until = answer.gracePeriodHours === 0 ? 'The old token no longer works.' : `The old token works until ${formatTime(answer.previousTokenValidUntil)}.`;
    actions.status.done(`New Secret Token for ${integration.displayName}: paste it into Entra now. ${until}`);
  });
}

export function checkButton(integration: Integration, actions: RowActions): HTMLButtonElement {
  return actionButton('Check connection', integration.displayName, async (button) => {
    const answer = await actions.status.run(`Checking the connection of ${integration.displayName}…`, () => actions.context.api.send<ConnectionCheck>('POST', path(integration, '/connection-check')), [button]);
    if (answer === undefined) return;
    const outcome = `Connection check of ${integration.displayName}: ${answer.status === null ? 'no answer' : `HTTP ${answer.status}`} in ${answer.durationMs} ms. ${answer.detail}`;
    if (answer.ok) actions.status.done(outcome);
    else actions.status.fail(outcome);
  });
}

export function deleteButton(integration: Integration, actions: RowActions): HTMLButtonElement {
  return actionButton(
    'Delete',
    integration.displayName,
    async (button) => {
      const field = h('input', { attrs: { type: 'text', autocomplete: 'off', spellcheck: 'false' } });
      const confirmed = await confirmAction(
        `Delete ${integration.displayName} and everything it imported?`,
        'Its groups, memberships, per-user attributes and staged users are removed, and Entra provisioning with its token stops at once. This cannot be undone.',
        'Delete integration',
        labelled(`Type ${integration.displayName} to confirm`, field),
      );
      if (!confirmed) return;
      const answer = await actions.status.run('Deleting…', () => actions.context.api.send<Integration | { status: 'deleted' }>('DELETE', path(integration), { confirmDisplayName: field.value }), [button]);
      if (answer === undefined) return;
      await actions.redraw();
      actions.status.done(answer.status === 'deleted' ? `Deleted ${integration.displayName}.` : `Deleting ${integration.displayName}: its data is being removed in the background.`);
    },
    'danger',
  );
}

/** The integration's state: active (with the old token's grace period, if any) or how far its deletion is. */
export function statusText(integration: Integration): string {
  if (integration.status === 'deleting') {
    const progress = integration.deletion;
    return progress === undefined ? 'Deleting' : `Deleting (${progress.people} users and ${progress.rows} rows removed so far)`;
  }
  return integration.previousTokenValidUntil === undefined ? 'Active' : `Active; the previous token works until ${formatTime(integration.previousTokenValidUntil)}`;
}

/** A cell that loads the integration's last provisioning activity and last sync run once drawn. */
export function activityCell(integration: Integration, actions: RowActions): HTMLTableCellElement {
  const cell = h('td', { className: 'activity' }, 'Loading…');
  void actions.context.api.get<IntegrationActivity>(path(integration, '/activity')).then(
    (activity) => {
      const provisioning = activity.lastProvisioning;
      const run = activity.lastSyncRun;
      cell.replaceChildren(
        h(
          'span',
          {},
          provisioning === null
            ? `No provisioning in the last ${activity.lookbackDays} days`
            : `Last provisioning: ${formatTime(provisioning.at)} (${provisioning.operation} ${provisioning.resourceType}, ${provisioning.outcome})`,
        ),
        ...(integration.method === 'graph' ? [h('br'), run === null ? 'No sync run yet' : `Last sync run: ${run.status}, ${formatTime(run.endedAt ?? run.queuedAt)}`] : []),
      );
    },
    () => cell.replaceChildren('Activity unavailable'),
  );
  return cell;
}
