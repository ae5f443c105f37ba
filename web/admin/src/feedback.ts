// What every action shows: a progress line while it runs (its controls disabled meanwhile), then either a short
// outcome or a readable error. The progress and outcome go to a polite live region, errors to an alert.
import { h } from './dom.js';

export interface Feedback {
  /** The element to place in the screen. */
  readonly element: HTMLElement;
  /** Runs `action` showing `progress`; answers its result, or undefined after showing its error. */
  run<T>(progress: string, action: () => Promise<T>, controls?: readonly (HTMLButtonElement | HTMLInputElement | HTMLSelectElement)[]): Promise<T | undefined>;
  /** Replaces the progress line (for a long action in steps). */
  progress(text: string): void;
  done(text: string): void;
  fail(text: string): void;
}

export function feedback(): Feedback {
  const status = h('p', { className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } });
  const error = h('p', { className: 'error', attrs: { role: 'alert' } });
  const element = h('div', { className: 'feedback' }, status, error);
  const show = (text: string, failed: boolean) => {
    status.textContent = failed ? '' : text;
    error.textContent = failed ? text : '';
    element.classList.remove('busy');
  };
  const result: Feedback = {
    element,
    progress(text) {
      error.textContent = '';
      status.textContent = text;
      element.classList.add('busy');
    },
    done: (text) => show(text, false),
    fail: (text) => show(text, true),
    async run(progress, action, controls = []) {
      result.progress(progress);
      element.setAttribute('aria-busy', 'true');
      const enabled = controls.filter((control) => !control.disabled);
      for (const control of enabled) control.disabled = true;
      try {
        const value = await action();
        if (element.classList.contains('busy')) show('', false);
        return value;
      } catch (caught) {
        show(caught instanceof Error ? caught.message : String(caught), true);
        return undefined;
      } finally {
        element.removeAttribute('aria-busy');
        for (const control of enabled) control.disabled = false;
      }
    },
  };
  return result;
}

/**
 * A modal confirmation (a native <dialog>: focus stays inside, Escape cancels). Focus starts on Cancel, so a stray
 * Enter never confirms; it returns to whatever had it before. `fields` (labelled controls) go above the buttons; the
 * caller reads them once it is confirmed.
 */
export function confirmAction(title: string, text: string, confirmLabel: string, fields?: HTMLElement): Promise<boolean> {
  return new Promise((resolve) => {
    const returnFocus = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    const titleId = `confirm-title-${Date.now()}`;
    const cancel = h('button', { attrs: { type: 'button', autofocus: '' } }, 'Cancel');
    const confirm = h('button', { className: 'danger', attrs: { type: 'button' } }, confirmLabel);
    const dialog = h('dialog', { attrs: { 'aria-labelledby': titleId } }, h('h2', { attrs: { id: titleId } }, title), h('p', {}, text), fields, h('div', { className: 'actions' }, cancel, confirm));
    let confirmed = false;
    cancel.addEventListener('click', () => dialog.close());
    confirm.addEventListener('click', () => {
      confirmed = true;
      dialog.close();
    });
    dialog.addEventListener('close', () => {
      dialog.remove();
      returnFocus?.focus();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
