// An integration (a data source): how it provisions users and where its secret token is kept (only the token's hash
// is in the record).

export type UserProvisioning = 'matchOnly' | 'create';

export interface IntegrationRecord {
  id: string;
  displayName: string;
  userProvisioning: UserProvisioning;
  /** `sha256:<hex>` of the secret token. */
  tokenHash: string;
  /** Name of the secret that holds the token in the secret store. */
  tokenSecretName: string;
  created: string;
  lastModified: string;
  etag?: string;
}
