// Users & Groups › Attributes: the catalog of what one integration imported (every attribute path it has written, with
// its type and when it was first and last seen), the list targeting attributes are built from (the Add Attribute
// dialog is on the Targeting attributes screen, targeting-attributes.ts).
import { segment } from '../api.js';
import { formatTime, h, labelled, table } from '../dom.js';
import type { CatalogAttribute } from '../../../../shared/admin-api/wire-types.js';
import { drawForIntegration } from '../integration-picker.js';
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
  render: (container, context, argument) =>
    drawForIntegration(container, context, 'attributes', argument, async ({ id }, status) => {
      const answer = await status.run('Loading the imported attributes…', () => context.api.get<{ attributes: CatalogAttribute[] }>(`integrations/${segment(id)}/attributes`));
      return answer && catalogView(answer.attributes);
    }),
};
