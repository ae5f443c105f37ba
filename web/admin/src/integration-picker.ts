// The frame of the screens that show one integration's data (groups, attributes, provisioning log, sync runs): an
// integration drop-down, the screen's progress and error line, then the screen's own view of the chosen integration.
// Choosing another moves to `#<screen>/<integration id>`, so the choice survives a reload and the back button.
import { h, labelled, option } from './dom.js';
import { type Feedback, feedback } from './feedback.js';
import type { Integration } from '../../../shared/admin-api/wire-types.js';
import type { ScreenContext } from './screens/screen.js';

interface PickedIntegration {
  readonly element: HTMLElement;
  /** The integration the screen shows: the one named in the hash, else the first; undefined when there is none. */
  readonly selected: Integration | undefined;
}

/** Which integrations a screen offers, and what it says when there is none of them. */
export interface PickerOptions {
  only?: (integration: Integration) => boolean;
  noneText?: string;
}

async function pickIntegration(context: ScreenContext, screenId: string, requestedId: string | undefined, options: PickerOptions): Promise<PickedIntegration> {
  const integrations = (await context.integrations()).filter(options.only ?? (() => true));
  if (integrations.length === 0) {
    return { element: h('p', {}, options.noneText ?? 'No integrations yet: create one on the Integrations screen.'), selected: undefined };
  }
  const selected = integrations.find((integration) => integration.id === requestedId) ?? integrations[0];
  const select = h(
    'select',
    { on: { change: () => context.navigate(screenId, select.value) } },
    ...integrations.map((integration) => option(integration.id, integration.displayName, integration === selected)),
  );
  return { element: labelled('Integration', select), selected };
}

/** Draws the drop-down and the feedback line into `container`, then what `view` makes of the chosen integration. */
export async function drawForIntegration(
  container: HTMLElement,
  context: ScreenContext,
  screenId: string,
  requestedId: string | undefined,
  view: (integration: Integration, status: Feedback) => Promise<HTMLElement | undefined>,
  options: PickerOptions = {},
): Promise<void> {
  const status = feedback();
  const picked = await pickIntegration(context, screenId, requestedId, options);
  container.append(picked.element, status.element);
  if (picked.selected === undefined) return;
  const drawn = await view(picked.selected, status);
  if (drawn !== undefined) container.append(drawn);
}
