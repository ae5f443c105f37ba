// What `npm start` prints about the admin page: its URL (the page route without its `{*asset}` catch-all, so it
// follows the host's route prefix) and where the function key it asks for is. Nothing when the page is not registered.
import type { HttpRoute } from './http-routes.js';

export const ADMIN_PAGE_FUNCTION_NAME = 'adminPage';

export function adminPageBanner(routes: readonly HttpRoute[], baseUrl: string, settingsPath: string): string[] {
  const page = routes.find((route) => route.registration.name === ADMIN_PAGE_FUNCTION_NAME);
  if (page === undefined) return [];
  return [`Admin page: ${baseUrl}/${page.compiled.template.replace(/\{[^}]*\}$/, '')}`, `  It asks for the function key: LOCAL_FUNCTIONS_KEY in ${settingsPath}.`, ''];
}
