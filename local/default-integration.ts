// On `npm start`: make sure a default local integration exists and print its Tenant URL and Secret Token, so a
// newcomer can point a SCIM client (or the Postman suites) at the local host at once. Local only: in Azure the token
// is shown once at creation and then only through the admin API's reveal.
import { services } from '../shared/services.js';

export const DEFAULT_INTEGRATION_NAME = 'Local development';

export async function announceDefaultIntegration(baseUrl: string): Promise<void> {
  const all = await services();
  const existing = (await all.integrations.list(baseUrl)).find((i) => i.displayName === DEFAULT_INTEGRATION_NAME);
  const integration = existing ?? (await all.integrations.create({ displayName: DEFAULT_INTEGRATION_NAME, userProvisioning: 'matchOnly' }, baseUrl));
  const token = await all.integrations.revealToken(integration.id);
  console.log('Default local integration (for a SCIM client on this machine):');
  console.log(`  Tenant URL:   ${integration.tenantUrl}`);
  console.log(`  Secret Token: ${token ?? '(missing from the local secret store)'}`);
  console.log(`  Try: curl -H "Authorization: Bearer <Secret Token>" "${integration.tenantUrl}/Users?filter=userName%20eq%20%22someone@contoso.com%22"`);
}
