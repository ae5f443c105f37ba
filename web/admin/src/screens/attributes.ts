// Users & Groups › Attributes, first part: the catalog of what one integration imported (every attribute path it has
// written, with its type and when it was first and last seen), the list targeting attributes will be built from.
// The Add Attribute dialog waits for the targeting-attribute routes (issue 7, section 1).
import { segment } from '../api.js';
import { formatTime, h, labelled, table } from '../dom.js';
import { feedback } from '../feedback.js';
import type { CatalogAttribute } from '../admin-types.js';
import { pickIntegration } from '../integration-picker.js';
import type { Screen } from './screen.js';

function catalogView(attributes: CatalogAttribute[]): HTMLElement {
  const list = h('div', { className: 'list' });
  const search = h('input', { attrs: { type: 'search', autocomplete: 'off' } });
  const sorted = [...attributes].sort((a, b) => a.path.localeCompare(b.path));
  const draw = () => {
    const text = search.value.trim().toLowerCase();
    const rows = sorted.filter((attribute) => text === '' || attribute.path.toLowerCase().includes(text));
    if (rows.length === 0) {
      list.replaceChildren(h('p', {}, attributes.length === 0 ? 'This integration has written no attributes yet.' : 'No attribute matches the filter.'));
      return;
    }
    const { table: element, body } = table(`Imported attributes (${rows.length} shown of ${attributes.length})`, ['Data source attribute', 'Type', 'First seen', 'Last seen']);
    for (const attribute of rows) {
      body.append(
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'row' } }, h('code', {}, attribute.path)),
          h('td', {}, attribute.type),
          h('td', {}, formatTime(attribute.firstSeen)),
          h('td', {}, formatTime(attribute.lastSeen)),
        ),
      );
    }
    list.replaceChildren(element);
  };
  search.addEventListener('input', draw);
  draw();
  return h('div', {}, h('div', { className: 'toolbar' }, labelled('Path contains', search)), list);
}

export const attributesScreen: Screen = {
  id: 'attributes',
  title: 'Attributes',
  async render(container, context, argument) {
    const status = feedback();
    const picked = await pickIntegration(context, 'attributes', argument);
    container.append(picked.element, status.element);
    if (picked.selected === undefined) return;
    const id = picked.selected.id;
    const answer = await status.run('Loading the imported attributes…', () => context.api.get<{ attributes: CatalogAttribute[] }>(`integrations/${segment(id)}/attributes`));
    if (answer !== undefined) container.append(catalogView(answer.attributes));
  },
};
