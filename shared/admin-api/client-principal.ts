// The signed-in caller App Service built-in authentication describes in X-MS-CLIENT-PRINCIPAL: base64 of a JSON
// object `{auth_typ, claims: [{typ, val}], name_typ, role_typ}`
// (https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities). The platform sets the
// header and removes one sent by a client, but only while built-in authentication is on: whether to read it at all is
// admin-access.ts's decision, not this module's.
import { z } from 'zod';

export const CLIENT_PRINCIPAL_HEADER = 'x-ms-client-principal';
/** A principal carries a few dozen claims; a header far larger than this is not one the platform wrote. */
export const MAX_CLIENT_PRINCIPAL_BYTES = 32 * 1024;

/** Claim types of app roles: the principal's own `role_typ`, and the names Entra tokens use. */
const ROLE_CLAIM_TYPES = ['roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const NAME_CLAIM_TYPES = ['preferred_username', 'name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];

const principalSchema = z.object({
  auth_typ: z.string().optional(),
  claims: z.array(z.object({ typ: z.string(), val: z.string() })).max(500),
  name_typ: z.string().optional(),
  role_typ: z.string().optional(),
});

export interface ClientPrincipal {
  /** The account's readable name (UPN or e-mail), when the claims carry one. */
  readonly name: string | undefined;
  readonly roles: readonly string[];
  /** The audiences the token was issued for (`aud`). */
  readonly audiences: readonly string[];
}

/** The principal the header describes; undefined when there is no header or it is not a well-formed principal. */
export function parseClientPrincipal(header: string | null): ClientPrincipal | undefined {
  if (header === null || header === '' || header.length > MAX_CLIENT_PRINCIPAL_BYTES) return undefined;
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(header, 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  const parsed = principalSchema.safeParse(decoded);
  if (!parsed.success) return undefined;
  const { claims, name_typ: nameType, role_typ: roleType } = parsed.data;
  const valuesOf = (types: readonly string[]): string[] => claims.filter((claim) => types.includes(claim.typ)).map((claim) => claim.val);
  return {
    name: valuesOf(nameType === undefined ? NAME_CLAIM_TYPES : [nameType, ...NAME_CLAIM_TYPES])[0],
    roles: valuesOf(roleType === undefined ? ROLE_CLAIM_TYPES : [roleType, ...ROLE_CLAIM_TYPES]),
    audiences: valuesOf(['aud']),
  };
}

/** The header value for a principal with these claims, as the platform writes it (tests and the local tools). */
export function encodeClientPrincipal(claims: Record<string, string | readonly string[]>): string {
  const list = Object.entries(claims).flatMap(([typ, value]) => (typeof value === 'string' ? [value] : value).map((val) => ({ typ, val })));
  return Buffer.from(JSON.stringify({ auth_typ: 'aad', claims: list, name_typ: 'preferred_username', role_typ: 'roles' })).toString('base64');
}
