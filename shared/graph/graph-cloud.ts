// The national clouds a Graph integration can live in, in one place: each cloud's Microsoft Graph endpoint and its
// login authority host. The credential (authorityHost), the token scope and every Graph URL are derived from here;
// no other module names a Graph or login host.
import { AzureAuthorityHosts } from '@azure/identity';

export const GRAPH_CLOUD_NAMES = ['global', 'usGovernment', 'china'] as const;
export type GraphCloudName = (typeof GRAPH_CLOUD_NAMES)[number];

export interface GraphCloud {
  readonly name: GraphCloudName;
  /** Microsoft Graph's root, without a trailing slash, e.g. https://graph.microsoft.com */
  readonly graphEndpoint: string;
  /** The Entra login authority host handed to the credential, e.g. https://login.microsoftonline.com */
  readonly authorityHost: string;
}

/** The Graph API version every request uses. */
export const GRAPH_API_VERSION = 'v1.0';

const GRAPH_CLOUDS: Readonly<Record<GraphCloudName, GraphCloud>> = {
  global: { name: 'global', graphEndpoint: 'https://graph.microsoft.com', authorityHost: AzureAuthorityHosts.AzurePublicCloud },
  // GCC High (L4); the DoD cloud (dod-graph.microsoft.us) shares the login host but not the Graph endpoint.
  usGovernment: { name: 'usGovernment', graphEndpoint: 'https://graph.microsoft.us', authorityHost: AzureAuthorityHosts.AzureGovernment },
  // Operated by 21Vianet.
  china: { name: 'china', graphEndpoint: 'https://microsoftgraph.chinacloudapi.cn', authorityHost: AzureAuthorityHosts.AzureChina },
};

export function graphCloud(name: GraphCloudName): GraphCloud {
  return GRAPH_CLOUDS[name];
}

/** The app-only scope for the cloud's Graph: the permissions granted to the app registration, by admin consent. */
export function graphScope(cloud: GraphCloud): string {
  return `${cloud.graphEndpoint}/.default`;
}

/** The versioned API root every request path is appended to, e.g. https://graph.microsoft.com/v1.0 */
export function graphApiRoot(cloud: GraphCloud): string {
  return `${cloud.graphEndpoint}/${GRAPH_API_VERSION}`;
}
