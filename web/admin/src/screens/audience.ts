// Audience builder: group conditions (any of / all of the enabled groups ticked) and attribute conditions (equals,
// one of, starts with, present; combined with and / or) over the enabled targeting attributes. The count follows every
// change (a short pause after typing), with the first users who match and "More users" for the next pages.
import { h, labelled, option, table } from '../dom.js';
import { feedback } from '../feedback.js';
import type { AudienceAnswer, SourceGroup, SourceGroupPage, TargetingAttribute } from '../../../../shared/admin-api/wire-types.js';
import type { Screen, ScreenContext } from './screen.js';

const PAGE_SIZE = 25;
/** Pause after the last change before the count is asked for. */
const COUNT_DELAY_MS = 300;
const OPERATORS = [
  ['equals', 'equals'],
  ['oneOf', 'is one of (comma-separated)'],
  ['startsWith', 'starts with'],
  ['present', 'has a value'],
] as const;

interface ConditionRow {
  element: HTMLElement;
  attribute: HTMLSelectElement;
  operator: HTMLSelectElement;
  value: HTMLInputElement;
}

function conditionRow(attributes: TargetingAttribute[], number: number, changed: () => void, removed: (row: ConditionRow) => void): ConditionRow {
  const attribute = h('select', {}, ...attributes.map((candidate, index) => option(candidate.id, candidate.name, index === 0)));
  const operator = h('select', {}, ...OPERATORS.map(([value, text], index) => option(value, text, index === 0)));
  const value = h('input', { attrs: { type: 'text', autocomplete: 'off' } });
  const remove = h('button', { attrs: { type: 'button', 'aria-label': `Remove condition ${number}` } }, 'Remove');
  const element = h('fieldset', { className: 'condition' }, h('legend', {}, `Condition ${number}`), labelled('Attribute', attribute), labelled('Operator', operator), labelled('Value', value), remove);
  const row: ConditionRow = { element, attribute, operator, value };
  for (const control of [attribute, operator]) control.addEventListener('change', changed);
  operator.addEventListener('change', () => (value.disabled = operator.value === 'present'));
  value.addEventListener('input', changed);
  remove.addEventListener('click', () => removed(row));
  return row;
}

function attributeCondition(row: ConditionRow): object | undefined {
  const attributeId = row.attribute.value;
  const text = row.value.value.trim();
  switch (row.operator.value) {
    case 'present':
      return { attributeId, present: true };
    case 'oneOf': {
      const values = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
      return values.length === 0 ? undefined : { attributeId, oneOf: values };
    }
    default:
      return text === '' ? undefined : { attributeId, [row.operator.value]: text };
  }
}

export const audienceScreen: Screen = {
  id: 'audience',
  title: 'Audience',
  async render(container, context: ScreenContext) {
    const status = feedback();
    const [groupPage, attributeList] = await Promise.all([
      context.api.get<SourceGroupPage>('groups?status=enabled&pageSize=500'),
      context.api.get<{ attributes: TargetingAttribute[] }>('targeting-attributes'),
    ]);
    const groups: SourceGroup[] = groupPage.groups;
    const attributes = attributeList.attributes.filter((attribute) => attribute.enabled);
    const groupMode = h('select', {}, option('anyOf', 'Any of the groups ticked', true), option('allOf', 'All of the groups ticked'));
    const groupBoxes = groups.map((group) => {
      const box = h('input', { attrs: { type: 'checkbox', value: `${group.integrationId}/${group.id}` } });
      return { group, box, element: h('li', {}, h('label', {}, box, ` ${group.displayName} (${group.integrationName})`)) };
    });
    const combine = h('select', {}, option('and', 'All conditions (and)', true), option('or', 'Any condition (or)'));
    const conditions: ConditionRow[] = [];
    const conditionList = h('div');
    const addCondition = h('button', { attrs: { type: 'button' } }, 'Add condition');
    addCondition.disabled = attributes.length === 0;
    const count = h('p', { className: 'audience-count', attrs: { role: 'status', 'aria-live': 'polite' } }, 'Pick groups or add a condition.');
    const users = h('div', { className: 'list' });
    const more = h('button', { attrs: { type: 'button' } }, 'More users');
    more.hidden = true;
    let token: string | undefined;
    let asked = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const body = (): object | undefined => {
      const ticked = groupBoxes.filter((entry) => entry.box.checked).map(({ group }) => ({ integrationId: group.integrationId, groupId: group.id }));
      const attributeConditions = conditions.map(attributeCondition).filter((condition) => condition !== undefined);
      const request: Record<string, unknown> = {};
      if (ticked.length > 0) request.groups = { [groupMode.value]: ticked };
      if (attributeConditions.length === 1) request.attributes = attributeConditions[0];
      if (attributeConditions.length > 1) request.attributes = { [combine.value]: attributeConditions };
      return Object.keys(request).length === 0 ? undefined : request;
    };
    const show = (answer: AudienceAnswer, append: boolean) => {
      count.textContent = `${answer.total} user${answer.total === 1 ? '' : 's'} match`;
      token = answer.continuationToken;
      more.hidden = token === undefined;
      const existing = append ? users.querySelector('tbody') : null;
      let rows = existing;
      if (rows === null) {
        const built = table('Users in the audience', ['User', 'Display name', 'Content Manager user']);
        users.replaceChildren(built.table);
        rows = built.body;
      }
      for (const user of answer.users) rows.append(h('tr', {}, h('th', { attrs: { scope: 'row' } }, user.upn ?? user.id), h('td', {}, user.displayName ?? ''), h('td', {}, user.contentManagerUser ? 'Yes' : 'Staged')));
      if (answer.total === 0) users.replaceChildren();
    };
    const resolve = async (append: boolean) => {
      const request = body();
      const mine = ++asked;
      if (request === undefined) {
        count.textContent = 'Pick groups or add a condition.';
        users.replaceChildren();
        more.hidden = true;
        return;
      }
      const answer = await status.run('Counting…', () => context.api.send<AudienceAnswer>('POST', 'audiences/resolve', { ...request, pageSize: PAGE_SIZE, ...(append && token !== undefined ? { continuationToken: token } : {}) }), append ? [more] : []);
      if (answer !== undefined && mine === asked) show(answer, append);
    };
    const changed = () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void resolve(false), COUNT_DELAY_MS);
    };
    const removed = (row: ConditionRow) => {
      conditions.splice(conditions.indexOf(row), 1);
      row.element.remove();
      addCondition.focus();
      changed();
    };
    addCondition.addEventListener('click', () => {
      const row = conditionRow(attributes, conditions.length + 1, changed, removed);
      conditions.push(row);
      conditionList.append(row.element);
      row.attribute.focus();
      changed();
    });
    for (const { box } of groupBoxes) box.addEventListener('change', changed);
    groupMode.addEventListener('change', changed);
    combine.addEventListener('change', changed);
    more.addEventListener('click', () => void resolve(true));

    container.append(
      h(
        'fieldset',
        {},
        h('legend', {}, 'Groups'),
        groups.length === 0 ? h('p', {}, 'No group is enabled for targeting yet (see All groups).') : h('div', {}, labelled('Match', groupMode), h('ul', { className: 'group-choices' }, ...groupBoxes.map((entry) => entry.element))),
      ),
      h(
        'fieldset',
        {},
        h('legend', {}, 'Attribute conditions'),
        attributes.length === 0 ? h('p', {}, 'No targeting attribute is enabled yet (see Targeting attributes).') : labelled('Combine', combine),
        conditionList,
        addCondition,
      ),
      count,
      status.element,
      users,
      more,
    );
  },
};
