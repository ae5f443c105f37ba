// The lines `npm start` prints about the admin page, from the real registration's route.
import { describe, expect, it } from 'vitest';
import { adminPageBanner } from '../../local/admin-page-banner.js';
import { installFunctionsCore } from '../../local/functions-core.js';
import { buildHttpRoutes } from '../../local/http-routes.js';

describe('adminPageBanner', () => {
  it('prints the page URL under the route prefix and where the function key is', async () => {
    const registry = installFunctionsCore();
    await import('../../functions/admin-page.js');
    expect(adminPageBanner(buildHttpRoutes(registry, 'api'), 'http://127.0.0.1:7071', '/repo/local.settings.json')).toEqual([
      'Admin page: http://127.0.0.1:7071/api/admin/page/',
      '  It asks for the function key: LOCAL_FUNCTIONS_KEY in /repo/local.settings.json.',
      '',
    ]);
    expect(adminPageBanner(buildHttpRoutes(registry, ''), 'http://localhost:8080', 'x')[0]).toBe('Admin page: http://localhost:8080/admin/page/');
  });

  it('prints nothing when the page is not registered', () => {
    expect(adminPageBanner([], 'http://127.0.0.1:7071', 'x')).toEqual([]);
  });
});
