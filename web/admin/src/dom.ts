// Building elements without markup strings: text goes in as text (never parsed as HTML), attributes through
// setAttribute, listeners through addEventListener (an inline `on…` attribute would break the page's CSP anyway).

export type Child = Node | string | number | undefined | null | false;

export interface ElementOptions {
  /** Space-separated classes. */
  className?: string;
  /** Attributes other than event handlers (`for`, `aria-*`, `type`, …). */
  attrs?: Record<string, string | undefined>;
  /** Listeners, by event name. */
  on?: { [E in keyof HTMLElementEventMap]?: (event: HTMLElementEventMap[E]) => void };
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, options: ElementOptions = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (options.className !== undefined) element.className = options.className;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (/^on/i.test(name)) throw new Error(`use the "on" option for ${name}`);
    if (value !== undefined) element.setAttribute(name, value);
  }
  for (const [event, listener] of Object.entries(options.on ?? {})) element.addEventListener(event, listener as EventListener);
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

export function clear(element: Element): void {
  element.replaceChildren();
}

let nextId = 0;
/** A document-unique id, for pairing labels with their controls. */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** A label and its control, paired by id. */
export function labelled<T extends HTMLElement>(text: string, control: T, hint?: string): HTMLElement {
  control.id ||= uniqueId('field');
  const hintElement = hint === undefined ? undefined : h('span', { className: 'hint', attrs: { id: `${control.id}-hint` } }, hint);
  if (hintElement !== undefined) control.setAttribute('aria-describedby', hintElement.id);
  return h('div', { className: 'field' }, h('label', { attrs: { for: control.id } }, text), control, hintElement);
}

export function option(value: string, text: string, selected = false): HTMLOptionElement {
  const element = h('option', { attrs: { value } }, text);
  element.selected = selected;
  return element;
}

/** A table with a caption and a header row; rows are added by the caller to the returned body. */
export function table(caption: string, headings: string[]): { table: HTMLTableElement; body: HTMLTableSectionElement } {
  const body = h('tbody');
  const head = h('thead', {}, h('tr', {}, ...headings.map((heading) => h('th', { attrs: { scope: 'col' } }, heading))));
  return { table: h('table', {}, h('caption', {}, caption), head, body), body };
}

/** A date-time as the reader's locale shows it; the raw value when it is not a date. */
export function formatTime(value: string | undefined): string {
  if (value === undefined || value === '') return '';
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? value : time.toLocaleString();
}
