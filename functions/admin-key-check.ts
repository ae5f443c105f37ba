import { app } from '@azure/functions';

// The host checks the key (authLevel 'function') before this runs; the admin API asks it whether a key is valid
// (shared/admin-api/function-key-check.ts). 204 and nothing else.
app.http('adminKeyCheck', {
  route: 'admin/key-check',
  methods: ['GET'],
  authLevel: 'function',
  handler: () => Promise.resolve({ status: 204, headers: { 'Cache-Control': 'no-store' } }),
});
