// An integration (a data source): how it provisions users and where its secret token is kept (only the token's hash
// is in the record).

export type UserProvisioning = 'matchOnly' | 'create';

/** How an integration imports: Entra's SCIM provisioning pushes to us (the default), or the Graph sync pulls. */
export type IntegrationMethod = 'scim' | 'graph';

/** Absent: active. */
export type IntegrationStatus = 'active' | 'deleting';

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
  /** Absent on integrations created before Graph: SCIM. */
  method?: IntegrationMethod;
  /** A Graph integration's settings as JSON (parsed by shared/graph's schema; never the client secret). */
  graphSettings?: string;
  /** A Graph integration: whether its scheduled and real runs go ahead (mirrors the settings' `enabled`). */
  enabled?: boolean;
  /** A Graph integration: the name of its client secret in the secret store. */
  clientSecretName?: string;
  /** After a rotation: the hash of the token it replaced, accepted until previousTokenValidUntil (ISO time). */
  previousTokenHash?: string;
  previousTokenValidUntil?: string;
  /** 'deleting' from the moment a delete is confirmed: SCIM refuses its token, the deletion removes its data. */
  status?: IntegrationStatus;
  /** A deletion's progress (directory/integration-deletion.ts), as JSON. */
  deletion?: string;
  etag?: string;
}
