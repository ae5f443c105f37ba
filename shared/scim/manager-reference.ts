// The enterprise `manager` in a rendered User, in the shape RFC 7643 §4.3 gives it: `value` (the manager's id),
// `$ref` (the manager's location at this Tenant URL) and `displayName` when it is known. The stored document keeps
// `{value}` only (clients' `$ref` and `displayName` are dropped on input, see attribute-values.ts), so both are added
// when a resource is answered.
import { ENTERPRISE_USER_SCHEMA, isScimObject } from './schemas/index.js';

/** The manager id of a rendered or stored User, when it has one. */
export function managerIdOf(resource: Readonly<Record<string, unknown>>): string | undefined {
  const enterprise = resource[ENTERPRISE_USER_SCHEMA];
  const manager = isScimObject(enterprise) ? enterprise.manager : undefined;
  const value = isScimObject(manager) ? manager.value : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * `resource` with its manager as `{value, $ref, displayName?}`; unchanged (the same object) without a manager. The
 * input is never changed.
 */
export function withManagerReference(
  resource: Record<string, unknown>,
  userLocationOf: (id: string) => string,
  displayName?: string,
): Record<string, unknown> {
  const value = managerIdOf(resource);
  if (value === undefined) return resource;
  const enterprise = resource[ENTERPRISE_USER_SCHEMA] as Record<string, unknown>;
  const manager: Record<string, unknown> = { value, $ref: userLocationOf(value) };
  if (displayName !== undefined && displayName !== '') manager.displayName = displayName;
  return { ...resource, [ENTERPRISE_USER_SCHEMA]: { ...enterprise, manager } };
}
