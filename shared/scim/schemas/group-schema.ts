// RFC 7643 §4.2 / §8.7.1: the core Group schema as data. `displayName` is required and unique here: Entra matches
// groups on it (T11/T13), so this server enforces both. `externalId` is listed for the same reason as for User.

import { attribute, complexAttribute } from './attribute-definition.js';
import type { SchemaDefinition } from './attribute-definition.js';
import { externalIdAttribute } from './core-user-schema.js';
import { CORE_GROUP_SCHEMA } from './schema-urns.js';

export const groupSchema: SchemaDefinition = {
  id: CORE_GROUP_SCHEMA,
  name: 'Group',
  description: 'Group',
  attributes: [
    externalIdAttribute,
    attribute('displayName', 'string', 'A human-readable name for the Group.', { required: true, uniqueness: 'server' }),
    complexAttribute(
      'members',
      'A list of members of the Group.',
      [
        attribute('value', 'string', 'Identifier of the member of this Group.', {
          mutability: 'immutable',
          caseExact: true,
        }),
        attribute('$ref', 'reference', 'The URI corresponding to a SCIM resource that is a member of this Group.', {
          mutability: 'immutable',
          referenceTypes: ['User', 'Group'],
          caseExact: true,
        }),
        attribute('display', 'string', 'A human-readable name for the member.', { mutability: 'immutable' }),
        attribute('type', 'string', 'A label indicating the type of resource, e.g., \'User\' or \'Group\'.', {
          mutability: 'immutable',
          canonicalValues: ['User', 'Group'],
        }),
      ],
      { multiValued: true },
    ),
  ],
};
