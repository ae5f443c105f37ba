import { app } from '@azure/functions';
import { signInStatusEndpoint } from '../shared/admin-api/sign-in-status.js';

// Anonymous on purpose: the admin page asks it whether to sign in or ask for the function key; it tells nothing else.
app.http('adminSignIn', {
  route: 'admin/sign-in',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: signInStatusEndpoint,
});
