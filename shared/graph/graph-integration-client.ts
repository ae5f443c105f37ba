// A GraphClient for one Graph integration: its cloud from the settings, its tokens from the per-integration
// credential cache, with the secret read from the secret store by the caller.
import { graphCloud } from './graph-cloud.js';
import { GraphClient, type GraphClientOptions } from './graph-client.js';
import type { GraphCredentialCache } from './graph-credentials.js';
import type { GraphIntegrationSettings } from './graph-integration-settings.js';

export function graphClientForIntegration(
  integrationId: string,
  settings: Pick<GraphIntegrationSettings, 'tenantId' | 'clientId' | 'cloud'>,
  clientSecret: string,
  credentials: GraphCredentialCache,
  options: Omit<GraphClientOptions, 'cloud' | 'tokens'> = {},
): GraphClient {
  const cloud = graphCloud(settings.cloud);
  const tokens = credentials.tokenSourceFor(integrationId, { tenantId: settings.tenantId, clientId: settings.clientId, clientSecret, cloud });
  return new GraphClient({ ...options, cloud, tokens });
}
