// A person as a SCIM User resource of one integration: its view document (directory/user-view.ts) with `schemas`
// from the extensions present, `id`, `active` (true unless the document says false) and `meta`.
import type { PersonRecord } from '../directory/model/person-record.js';
import { liveSource, viewDocument, viewVersionTag } from '../directory/user-view.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const EXTENSION_PREFIX = 'urn:ietf:params:scim:schemas:extension:';

/** The SCIM resource: `schemas` from the extensions present, `id`, the document, and `meta`. */
export function renderUser(person: PersonRecord, integrationId: string, location: string): Record<string, unknown> | undefined {
  const doc = viewDocument(person, integrationId);
  if (doc === undefined) return undefined;
  const source = liveSource(person, integrationId);
  const schemas = [USER_SCHEMA, ...Object.keys(doc).filter((key) => key.toLowerCase().startsWith(EXTENSION_PREFIX))];
  const created = source?.created ?? person.cm?.created ?? person.created;
  const lastModified = latest(source?.lastModified, person.cm?.lastModified) ?? created;
  return {
    schemas,
    id: person.id,
    ...doc,
    active: typeof doc.active === 'boolean' ? doc.active : true,
    meta: { resourceType: 'User', created, lastModified, location, version: viewVersionTag(doc) },
  };
}

function latest(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return a > b ? a : b;
}
