import { app } from '@azure/functions';
import { adminEndpoint } from '../shared/admin-api/admin-http.js';
import { resolveAudience } from '../shared/admin-api/audiences-api.js';
import { groupMembers, listGroups, switchGroups } from '../shared/admin-api/groups-api.js';
import { backfillStep, dataSourceAttributes, targetingAttributes, userTargeting } from '../shared/admin-api/targeting-attributes-api.js';

export const adminGroups = adminEndpoint('groups', (request, all) => (request.method.toUpperCase() === 'PATCH' ? switchGroups(request, all) : listGroups(request, all)));
export const adminGroupMembers = adminEndpoint('groups.members', groupMembers);
export const adminTargetingAttributes = adminEndpoint('targetingAttributes', targetingAttributes);
export const adminTargetingAttributeBackfill = adminEndpoint('targetingAttributes.backfill', backfillStep);
export const adminDataSourceAttributes = adminEndpoint('dataSourceAttributes', dataSourceAttributes);
export const adminUserTargeting = adminEndpoint('users.targeting', userTargeting);
export const adminAudienceResolve = adminEndpoint('audiences.resolve', resolveAudience);

app.http('adminGroups', { route: 'admin/groups', methods: ['GET', 'PATCH'], authLevel: 'anonymous', handler: adminGroups });
app.http('adminGroupMembers', { route: 'admin/groups/{integrationId}/{groupId}/members', methods: ['GET'], authLevel: 'anonymous', handler: adminGroupMembers });
app.http('adminTargetingAttributes', {
  route: 'admin/targeting-attributes/{id?}',
  methods: ['GET', 'POST', 'PATCH', 'DELETE'],
  authLevel: 'anonymous',
  handler: adminTargetingAttributes,
});
app.http('adminTargetingAttributeBackfill', { route: 'admin/targeting-attributes/{id}/backfill', methods: ['POST'], authLevel: 'anonymous', handler: adminTargetingAttributeBackfill });
app.http('adminDataSourceAttributes', { route: 'admin/data-source-attributes/{integrationId}', methods: ['GET'], authLevel: 'anonymous', handler: adminDataSourceAttributes });
app.http('adminUserTargeting', { route: 'admin/users/{id}/targeting', methods: ['GET'], authLevel: 'anonymous', handler: adminUserTargeting });
app.http('adminAudienceResolve', { route: 'admin/audiences/resolve', methods: ['POST'], authLevel: 'anonymous', handler: adminAudienceResolve });
