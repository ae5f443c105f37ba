import { app } from '@azure/functions';
import { adminEndpoint } from '../shared/admin-api/admin-http.js';
import { importUsers, listOrGetUsers } from '../shared/admin-api/users-api.js';

export const adminUsers = adminEndpoint('users', (request, all) =>
  request.method.toUpperCase() === 'POST' ? importUsers(request, all) : listOrGetUsers(request, all),
);

app.http('adminUsers', {
  route: 'admin/users/{id?}',
  methods: ['GET', 'POST'],
  authLevel: 'anonymous',
  handler: adminUsers,
});
