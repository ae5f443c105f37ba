// Authenticating a SCIM request: the Secret Token in `Authorization: Bearer <token>` must be the one of the
// integration the Tenant URL names; anything else is 401 with WWW-Authenticate (RFC 6750), before any operation runs.
import type { IntegrationService } from '../directory/integrations.js';
import type { IntegrationRecord } from '../directory/model/integration-record.js';
import { unauthorized } from '../scim/errors.js';

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(authorization: string | null | undefined): string | undefined {
  if (authorization === null || authorization === undefined) return undefined;
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/** The integration a SCIM request may act for; 401 for a missing, malformed or foreign token. */
export async function authenticateScimRequest(integrations: IntegrationService, integrationId: string, authorization: string | null): Promise<IntegrationRecord> {
  const token = bearerToken(authorization);
  if (token === undefined) throw unauthorized('Missing bearer token: send "Authorization: Bearer <Secret Token>".');
  const record = await integrations.verifyToken(integrationId, token);
  if (record === undefined) throw unauthorized('The bearer token is not valid for this Tenant URL.');
  return record;
}
