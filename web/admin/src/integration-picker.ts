// The integration drop-down of the screens that show one integration's data (groups, attributes). Choosing another
// moves to `#<screen>/<integration id>`, so the choice survives a reload and the back button.
import { h, labelled, option } from './dom.js';
import type { Integration } from './admin-types.js';
import type { ScreenContext } from './screens/screen.js';

export interface PickedIntegration {
  readonly element: HTMLElement;
  /** The integration the screen shows: the one named in the hash, else the first; undefined when there is none. */
  readonly selected: Integration | undefined;
}

export async function pickIntegration(context: ScreenContext, screenId: string, requestedId: string | undefined): Promise<PickedIntegration> {
  const integrations = await context.integrations();
  if (integrations.length === 0) {
    return { element: h('p', {}, 'No integrations yet: create one on the Integrations screen.'), selected: undefined };
  }
  const selected = integrations.find((integration) => integration.id === requestedId) ?? integrations[0];
  const select = h(
    'select',
    { on: { change: () => context.navigate(screenId, select.value) } },
    ...integrations.map((integration) => option(integration.id, integration.displayName, integration === selected)),
  );
  return { element: labelled('Integration', select), selected };
}
