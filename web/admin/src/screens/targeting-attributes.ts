// Users & Groups › Targeting attributes: the attributes messages can be targeted by. Add Attribute (a dialog: Data
// Source, Data Source Attribute with its readable label and sample values, Name, Enable Attribute, Save), then the
// values already imported are indexed step by step with progress; rename, enable/disable and delete in the list.
import { segment } from '../api.js';
import { h, labelled, option, table } from '../dom.js';
import { confirmAction, type Feedback, feedback } from '../feedback.js';
import type { DataSourceAttribute, Integration, TargetingAttribute } from '../../../../shared/admin-api/wire-types.js';
import type { Screen, ScreenContext } from './screen.js';

/** Backfill steps one Save runs before it says the rest continues on the next visit. */
const MAX_BACKFILL_STEPS = 400;

/** Runs the backfill step by step with its progress, reloads the list, then shows the outcome. */
async function backfillAndShow(context: ScreenContext, attribute: TargetingAttribute, status: Feedback, reload: () => Promise<void>): Promise<void> {
  const outcome = await backfill(context, attribute, status);
  await reload();
  if (outcome.failed) status.fail(outcome.text);
  else status.done(outcome.text);
}

async function backfill(context: ScreenContext, attribute: TargetingAttribute, status: Feedback): Promise<{ text: string; failed: boolean }> {
  let current = attribute;
  try {
    for (let step = 0; current.backfill.status !== 'done' && step < MAX_BACKFILL_STEPS; step++) {
      status.progress(`Indexing the values already imported… ${current.backfill.indexedPeople} people so far`);
      current = await context.api.send<TargetingAttribute>('POST', `targeting-attributes/${segment(attribute.id)}/backfill`, {});
    }
  } catch (error) {
    return { text: `Saved "${attribute.name}", but indexing stopped: ${error instanceof Error ? error.message : String(error)}`, failed: true };
  }
  const text = current.backfill.status === 'done'
    ? `Saved "${current.name}"; ${current.backfill.indexedPeople} people have a value.`
    : `Saved "${current.name}"; indexing goes on: press Continue indexing on its row.`;
  return { text, failed: false };
}

/** The Add Attribute dialog (a native modal <dialog>: focus stays inside, Escape cancels). */
function addAttributeDialog(context: ScreenContext, integrations: Integration[], status: Feedback, saved: () => Promise<void>): HTMLDialogElement {
  const dialogStatus = feedback();
  const dataSource = h('select', {}, ...integrations.map((integration, index) => option(integration.id, integration.displayName, index === 0)));
  const sourceAttribute = h('select', {});
  const samples = h('p', { className: 'hint', attrs: { 'aria-live': 'polite' } });
  const name = h('input', { attrs: { type: 'text', autocomplete: 'off', required: '' } });
  const enable = h('input', { attrs: { type: 'checkbox' } });
  enable.checked = true;
  const save = h('button', { attrs: { type: 'submit' } }, 'Save');
  const cancel = h('button', { attrs: { type: 'button' } }, 'Cancel');
  let catalog: DataSourceAttribute[] = [];
  const showSamples = () => {
    const picked = catalog.find((attribute) => attribute.path === sourceAttribute.value);
    samples.textContent = picked === undefined ? '' : `Path ${picked.path}; sample values: ${picked.sampleValues.length === 0 ? 'none seen yet' : picked.sampleValues.join(', ')}`;
    if (picked !== undefined && name.dataset.edited !== 'true') name.value = picked.label;
  };
  const loadCatalog = async () => {
    const answer = await dialogStatus.run('Loading the data source attributes…', () => context.api.get<{ attributes: DataSourceAttribute[] }>(`data-source-attributes/${segment(dataSource.value)}`), [save]);
    catalog = answer?.attributes ?? [];
    sourceAttribute.replaceChildren(...catalog.map((attribute, index) => option(attribute.path, attribute.label, index === 0)));
    if (catalog.length === 0) dialogStatus.done('This data source has imported no attributes yet.');
    showSamples();
  };
  const titleId = 'add-attribute-title';
  const form = h(
    'form',
    {},
    h('h3', { attrs: { id: titleId } }, 'Add attribute'),
    labelled('Data Source', dataSource),
    labelled('Data Source Attribute', sourceAttribute),
    samples,
    labelled('Name', name),
    h('div', { className: 'field' }, h('label', {}, enable, ' Enable Attribute')),
    dialogStatus.element,
    h('div', { className: 'actions' }, cancel, save),
  );
  const dialog = h('dialog', { attrs: { 'aria-labelledby': titleId } }, form);
  dataSource.addEventListener('change', () => void loadCatalog());
  sourceAttribute.addEventListener('change', showSamples);
  name.addEventListener('input', () => (name.dataset.edited = 'true'));
  cancel.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => dialog.remove());
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      const body = { integrationId: dataSource.value, path: sourceAttribute.value, name: name.value.trim(), enabled: enable.checked };
      const created = await dialogStatus.run('Saving…', () => context.api.send<TargetingAttribute>('POST', 'targeting-attributes', body), [save, cancel]);
      if (created === undefined) return;
      dialog.close();
      await backfillAndShow(context, created, status, saved);
    })();
  });
  void loadCatalog();
  return dialog;
}

function continueIndexing(context: ScreenContext, attribute: TargetingAttribute, status: Feedback, reload: () => Promise<void>): HTMLElement {
  const button = h('button', { attrs: { type: 'button', 'aria-label': `Continue indexing ${attribute.name}` } }, 'Continue indexing');
  button.addEventListener('click', () => {
    void (async () => {
      button.disabled = true;
      await backfillAndShow(context, attribute, status, reload);
    })();
  });
  return h('span', {}, `Indexing (${attribute.backfill.indexedPeople} so far) `, button);
}

function attributeRow(context: ScreenContext, attribute: TargetingAttribute, sourceName: string, status: Feedback, reload: () => Promise<void>): HTMLTableRowElement {
  const nameCell = h('th', { attrs: { scope: 'row' } }, attribute.name);
  const rename = h('button', { attrs: { type: 'button', 'aria-label': `Rename ${attribute.name}` } }, 'Rename');
  const toggle = h('button', { attrs: { type: 'button', 'aria-label': `${attribute.enabled ? 'Disable' : 'Enable'} ${attribute.name}` } }, attribute.enabled ? 'Disable' : 'Enable');
  const remove = h('button', { className: 'danger', attrs: { type: 'button', 'aria-label': `Delete ${attribute.name}` } }, 'Delete');
  const change = async (progress: string, body: object, outcome: string) => {
    const updated = await status.run(progress, () => context.api.send<TargetingAttribute>('PATCH', `targeting-attributes/${segment(attribute.id)}`, body), [rename, toggle, remove]);
    if (updated === undefined) return;
    await reload();
    status.done(outcome);
  };
  rename.addEventListener('click', () => {
    const input = h('input', { attrs: { type: 'text', 'aria-label': `New name for ${attribute.name}` } });
    input.value = attribute.name;
    const form = h('form', {}, input, h('button', { attrs: { type: 'submit' } }, 'Save name'));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      void change('Renaming…', { name: input.value.trim() }, `Renamed to "${input.value.trim()}".`);
    });
    nameCell.replaceChildren(form);
    input.focus();
  });
  toggle.addEventListener('click', () => void change(attribute.enabled ? 'Disabling…' : 'Enabling…', { enabled: !attribute.enabled }, `${attribute.enabled ? 'Disabled' : 'Enabled'} "${attribute.name}".`));
  remove.addEventListener('click', () => {
    void (async () => {
      if (!(await confirmAction(`Delete ${attribute.name}?`, 'Audiences can no longer use it; its indexed values are removed.', 'Delete'))) return;
      const deleted = await status.run('Deleting…', () => context.api.send('DELETE', `targeting-attributes/${segment(attribute.id)}`).then(() => true), [remove]);
      if (deleted !== true) return;
      await reload();
      status.done(`Deleted "${attribute.name}".`);
    })();
  });
  return h(
    'tr',
    { attrs: { 'data-attribute-id': attribute.id } },
    nameCell,
    h('td', {}, sourceName),
    h('td', {}, attribute.label, ' ', h('code', {}, attribute.path)),
    h('td', { className: attribute.enabled ? 'enabled' : 'disabled' }, attribute.enabled ? 'Enabled' : 'Disabled'),
    h('td', {}, attribute.backfill.status === 'done' ? 'Indexed' : continueIndexing(context, attribute, status, reload)),
    h('td', {}, rename, ' ', toggle, ' ', remove),
  );
}

export const targetingAttributesScreen: Screen = {
  id: 'targeting',
  title: 'Targeting attributes',
  async render(container, context) {
    const status = feedback();
    const integrations = await context.integrations();
    const list = h('div', { className: 'list' });
    const add = h('button', { attrs: { type: 'button' } }, 'Add attribute');
    const sourceName = (id: string): string => integrations.find((integration) => integration.id === id)?.displayName ?? id;
    const reload = async () => {
      const answer = await status.run('Loading targeting attributes…', () => context.api.get<{ attributes: TargetingAttribute[] }>('targeting-attributes'));
      if (answer === undefined) return;
      if (answer.attributes.length === 0) {
        list.replaceChildren(h('p', {}, 'No targeting attributes yet: add one from what a data source imported.'));
        return;
      }
      const { table: element, body } = table(`Targeting attributes (${answer.attributes.length})`, ['Name', 'Data source', 'Data source attribute', 'Status', 'Values', 'Actions']);
      for (const attribute of answer.attributes) body.append(attributeRow(context, attribute, sourceName(attribute.integrationId), status, reload));
      list.replaceChildren(element);
    };
    add.disabled = integrations.length === 0;
    add.addEventListener('click', () => {
      const dialog = addAttributeDialog(context, integrations, status, reload);
      document.body.append(dialog);
      dialog.showModal();
    });
    container.append(h('div', { className: 'toolbar' }, add), status.element, list);
    await reload();
  },
};
