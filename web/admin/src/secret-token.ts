// The Secret Token of an integration, hidden until asked for: a double-click reveals it (as in the Content Manager),
// and so does Enter or Space on the focused control, so the keyboard gets there too. Revealed, it sits in a read-only
// field, selected, ready to copy.
import { type AdminApi, segment } from './api.js';
import { clear, h } from './dom.js';
import type { Feedback } from './feedback.js';
import type { Integration } from '../../../shared/admin-api/wire-types.js';

/** Shown on the hidden token, and part of its accessible name (which must contain the visible text). */
const REVEAL_HINT = 'Double-click (or press Enter) to reveal';

export interface SecretTokenView {
  readonly element: HTMLElement;
  /** Shows a token the caller already has (just created or rotated). */
  show(token: string): void;
}

export function secretTokenView(integration: Integration, api: AdminApi, status: Feedback): SecretTokenView {
  const element = h('div', { className: 'secret-token' });

  const show = (token: string) => {
    const field = h('input', { className: 'token', attrs: { type: 'text', readonly: '', 'aria-label': `Secret Token of ${integration.displayName}`, spellcheck: 'false' } });
    field.value = token;
    const hide = h('button', { attrs: { type: 'button' }, on: { click: () => hidden(true) } }, 'Hide');
    clear(element);
    element.append(field, hide);
    field.focus();
    field.select();
  };

  const reveal = async () => {
    const answer = await status.run('Revealing the Secret Token…', () => api.send<{ secretToken: string }>('POST', `integrations/${segment(integration.id)}/secret-token/reveal`));
    if (answer !== undefined) {
      show(answer.secretToken);
      status.done(`Secret Token of ${integration.displayName} revealed.`);
    }
  };

  const hidden = (focus: boolean) => {
    const button = h(
      'button',
      {
        className: 'token-hidden',
        attrs: { type: 'button', title: 'Double-click to reveal', 'aria-label': `Secret Token of ${integration.displayName}, hidden: ${REVEAL_HINT}` },
        on: {
          dblclick: () => void reveal(),
          // detail 0: activated by the keyboard (Enter or Space), not by a mouse click.
          click: (event) => {
            if (event.detail === 0) void reveal();
          },
        },
      },
      h('span', { attrs: { 'aria-hidden': 'true' } }, '••••••••••••'),
      h('span', { className: 'hint' }, ` ${REVEAL_HINT}`),
    );
    clear(element);
    element.append(button);
    if (focus) button.focus();
  };

  hidden(false);
  return { element, show };
}
