// A screen of the page: one entry in the navigation, drawn into the main area for a location hash
// `#<id>` or `#<id>/<argument>` (an integration id, a user id). A new screen is a module and one line in main.ts.
import type { AdminApi } from '../api.js';
import type { Integration } from '../../../../shared/admin-api/wire-types.js';

export interface ScreenContext {
  readonly api: AdminApi;
  /** The integrations, read once per drawing of a screen and shared by its parts. */
  integrations(): Promise<Integration[]>;
  /** Moves to another screen (or the same one with another argument). */
  navigate(id: string, argument?: string): void;
}

export interface Screen {
  readonly id: string;
  /** The navigation label and the screen's heading. */
  readonly title: string;
  render(container: HTMLElement, context: ScreenContext, argument: string | undefined): Promise<void>;
}

/** The location hash of a screen. */
export const screenHash = (id: string, argument?: string): string => `#${id}${argument === undefined ? '' : `/${encodeURIComponent(argument)}`}`;
