// App-only access tokens for Microsoft Graph from @azure/identity's ClientSecretCredential, one credential per
// integration (cached, so MSAL's token cache is reused across runs in the same process) and replaced when the
// integration's tenant, client, secret or cloud change. The secret is held by the credential only; the cache keys
// it by a SHA-256 fingerprint, and failures surface as GraphAuthenticationError, never with the secret in them.
import { createHash } from 'node:crypto';
import { ClientSecretCredential, type TokenCredential } from '@azure/identity';
import { type GraphCloud, graphScope } from './graph-cloud.js';
import { authenticationErrorFrom } from './graph-errors.js';

export interface GraphAppCredentials {
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly cloud: GraphCloud;
}

/** What the Graph client needs: a bearer token for the cloud's Graph, fresh enough to use now. */
export interface GraphAccessTokenSource {
  getAccessToken(): Promise<string>;
}

/** A token source over any TokenCredential: the scope is the cloud's `.default`, failures become typed errors. */
export class CredentialTokenSource implements GraphAccessTokenSource {
  constructor(
    private readonly credential: TokenCredential,
    private readonly cloud: GraphCloud,
  ) {}

  async getAccessToken(): Promise<string> {
    let token;
    try {
      token = await this.credential.getToken(graphScope(this.cloud));
    } catch (error) {
      throw authenticationErrorFrom(error);
    }
    if (token === null) throw authenticationErrorFrom(new Error('the credential returned no token'));
    return token.token;
  }
}

function fingerprint(credentials: GraphAppCredentials): string {
  const secretHash = createHash('sha256').update(credentials.clientSecret).digest('hex');
  return [credentials.cloud.name, credentials.tenantId, credentials.clientId, secretHash].join('|');
}

/** One credential per integration id, rebuilt when its credentials change. */
export class GraphCredentialCache {
  private readonly entries = new Map<string, { fingerprint: string; source: GraphAccessTokenSource }>();

  tokenSourceFor(integrationId: string, credentials: GraphAppCredentials): GraphAccessTokenSource {
    const key = fingerprint(credentials);
    const cached = this.entries.get(integrationId);
    if (cached?.fingerprint === key) return cached.source;
    const credential = new ClientSecretCredential(credentials.tenantId, credentials.clientId, credentials.clientSecret, {
      authorityHost: credentials.cloud.authorityHost,
    });
    const source = new CredentialTokenSource(credential, credentials.cloud);
    this.entries.set(integrationId, { fingerprint: key, source });
    return source;
  }

  /** Forget an integration's credential (deleted integration, rotated secret known to be dead). */
  forget(integrationId: string): void {
    this.entries.delete(integrationId);
  }
}
