// Graph sync runs of one Graph integration: start one (dry run and/or full), list the runs newest first ("More
// runs"), and open a run's report: its state, counts, samples of unmatched users and changes, and errors with Graph's
// request ids. A run works in the background: Refresh reads the list and the open report again.
import { segment } from '../api.js';
import { formatTime, h, table } from '../dom.js';
import type { Feedback } from '../feedback.js';
import type { Integration, SyncRun, SyncRunPage } from '../../../../shared/admin-api/wire-types.js';
import { drawForIntegration } from '../integration-picker.js';
import type { Screen, ScreenContext } from './screen.js';

const PAGE_SIZE = 20;

const COUNTER_LABELS: Record<string, string> = {
  usersSeen: 'Users seen',
  usersMatched: 'Users matched',
  usersUnmatched: 'Users not matched',
  groupsSeen: 'Groups seen',
  groupsCreated: 'Groups created',
  groupsUpdated: 'Groups updated',
  groupsRemoved: 'Groups removed',
  membershipsAdded: 'Memberships added',
  membershipsRemoved: 'Memberships removed',
  attributesChanged: 'Attribute values changed',
  graphRequests: 'Graph requests',
  throttledWaits: 'Waits on Graph throttling',
  throttledWaitMs: 'Time waited on throttling (ms)',
};

const SAMPLE_LABELS: Record<string, string> = { unmatchedUsers: 'Users not matched (sample)', changes: 'Changes (sample)' };

const kindText = (run: SyncRun): string => `${run.kind === 'full' ? 'Full' : 'Delta'}${run.dryRun ? ', dry run' : ''}`;
const runName = (run: SyncRun): string => `${run.kind === 'full' ? 'Full' : 'Delta'} ${run.dryRun ? 'dry run' : 'run'} queued ${formatTime(run.queued)}`;

function checkbox(text: string): { box: HTMLInputElement; element: HTMLElement } {
  const box = h('input', { attrs: { type: 'checkbox' } });
  return { box, element: h('div', { className: 'field' }, h('label', {}, box, ` ${text}`)) };
}

function report(run: SyncRun): HTMLElement {
  const fact = (term: string, value: string) => [h('dt', {}, term), h('dd', {}, value)];
  const counts = table('Counts', ['Counter', 'Value']);
  for (const [name, value] of Object.entries(run.counts)) counts.body.append(h('tr', {}, h('th', { attrs: { scope: 'row' } }, COUNTER_LABELS[name] ?? name), h('td', {}, String(value))));
  const samples = Object.entries(run.samples).filter(([, values]) => values.length > 0);
  const errors = table(`Errors (${run.errorCount}${run.errorCount > run.errors.length ? `, the first ${run.errors.length} shown` : ''})`, ['Message', 'Graph request id', 'Step', 'At']);
  for (const error of run.errors) {
    errors.body.append(h('tr', {}, h('td', {}, error.message), h('td', {}, h('code', {}, error.requestId ?? '')), h('td', {}, error.stepKind ?? ''), h('td', {}, formatTime(error.at))));
  }
  const heading = h('h3', { attrs: { tabindex: '-1' } }, `Report: ${runName(run)}`);
  return h(
    'section',
    { className: 'run-report', attrs: { 'aria-label': 'Run report', 'data-run-id': run.id } },
    heading,
    h(
      'dl',
      {},
      ...fact('Status', run.status),
      ...fact('Kind', kindText(run)),
      ...fact('Started by', run.trigger),
      ...fact('Queued', formatTime(run.queued)),
      ...fact('Started', run.start === null ? 'not yet' : formatTime(run.start)),
      ...fact('Ended', run.end === null ? 'not yet' : formatTime(run.end)),
      ...fact('Steps', `${run.steps.completed} done, ${run.steps.outstanding} outstanding, phase ${run.steps.phase}`),
      ...(run.failureReason === null ? [] : fact('Why it failed', run.failureReason)),
    ),
    counts.table,
    ...samples.flatMap(([name, values]) => [h('h4', {}, SAMPLE_LABELS[name] ?? name), h('ul', {}, ...values.map((value) => h('li', {}, value)))]),
    run.errors.length === 0 ? h('p', {}, 'No errors.') : errors.table,
  );
}

function runsView(context: ScreenContext, integration: Integration, status: Feedback): HTMLElement {
  const path = `integrations/${segment(integration.id)}/sync-runs`;
  const dryRun = checkbox('Dry run: report what would change, write nothing');
  const full = checkbox('Full run: read everything again, not only the changes since the last run');
  const start = h('button', { attrs: { type: 'submit' } }, 'Start sync run');
  const refresh = h('button', { attrs: { type: 'button' } }, 'Refresh');
  const list = h('div', { className: 'list' });
  const more = h('button', { attrs: { type: 'button' } }, 'More runs');
  more.hidden = true;
  const reportSlot = h('div');
  let runs: SyncRun[] = [];
  let next: string | undefined;
  let openRunId: string | undefined;

  const showReport = (run: SyncRun, focus: boolean) => {
    openRunId = run.id;
    reportSlot.replaceChildren(report(run));
    if (focus) reportSlot.querySelector('h3')?.focus();
  };

  const draw = () => {
    more.hidden = next === undefined;
    if (runs.length === 0) {
      list.replaceChildren(h('p', {}, 'No sync runs yet: start one above, or wait for the schedule.'));
      return;
    }
    const { table: element, body } = table(`Sync runs of ${integration.displayName} (${runs.length} shown${next === undefined ? '' : ', more available'})`, ['Queued', 'Kind', 'Started by', 'Status', 'Errors', 'Report']);
    for (const run of runs) {
      const open = h('button', { attrs: { type: 'button', 'aria-label': `Report of the ${runName(run)}` } }, 'Report');
      open.addEventListener('click', () => showReport(run, true));
      body.append(
        h(
          'tr',
          { attrs: { 'data-run-id': run.id } },
          h('th', { attrs: { scope: 'row' } }, formatTime(run.queued)),
          h('td', {}, kindText(run)),
          h('td', {}, run.trigger),
          h('td', { className: run.status === 'failed' ? 'failed' : run.status === 'succeeded' ? 'enabled' : '' }, run.status),
          h('td', {}, String(run.errorCount)),
          h('td', {}, open),
        ),
      );
    }
    list.replaceChildren(element);
  };

  const load = async (fresh: boolean): Promise<boolean> => {
    const page = await status.run('Loading sync runs…', () => context.api.get<SyncRunPage>(`${path}?top=${PAGE_SIZE}${!fresh && next !== undefined ? `&after=${encodeURIComponent(next)}` : ''}`), [refresh, more]);
    if (page === undefined) return false;
    runs = fresh ? page.runs : [...runs, ...page.runs];
    next = page.next;
    draw();
    const open = runs.find((run) => run.id === openRunId);
    if (open !== undefined) showReport(open, false);
    return true;
  };

  const form = h('form', {}, h('fieldset', {}, h('legend', {}, 'Start a sync run'), dryRun.element, full.element, start));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const body = { dryRun: dryRun.box.checked, full: full.box.checked };
      const run = await status.run('Starting a sync run…', () => context.api.send<SyncRun>('POST', path, body), [start, dryRun.box, full.box]);
      if (run === undefined) return;
      openRunId = run.id;
      if (await load(true)) status.done(`Started: ${runName(run)}. It runs in the background: Refresh shows how far it got.`);
    })();
  });
  refresh.addEventListener('click', () => void load(true));
  more.addEventListener('click', () => void load(false));
  void load(true);
  return h('div', {}, form, h('div', { className: 'toolbar' }, refresh), list, more, reportSlot);
}

export const syncRunsScreen: Screen = {
  id: 'sync-runs',
  title: 'Sync runs',
  render: (container, context, argument) =>
    drawForIntegration(container, context, 'sync-runs', argument, (integration, status) => Promise.resolve(runsView(context, integration, status)), {
      only: (integration) => integration.method === 'graph' && integration.status === 'active',
      noneText: 'No Microsoft Graph integration yet: sync runs are for integrations of the Graph method (see the README, "Microsoft Graph method").',
    }),
};
