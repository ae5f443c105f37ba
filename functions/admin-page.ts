import { app } from '@azure/functions';
import { adminPageEndpoint } from '../shared/admin-page/admin-page-http.js';

/** dist/functions/admin-page.js → dist/web/admin: the page `npm run build` compiles and the deployment package holds. */
export const adminPage = adminPageEndpoint(new URL('../web/admin/', import.meta.url));

app.http('adminPage', {
  route: 'admin/page/{*asset}',
  methods: ['GET', 'HEAD'],
  authLevel: 'anonymous',
  handler: adminPage,
});
