// RFC 7643 §4.3 / §8.7.1: the Enterprise User extension as data. `manager` is complex ({value, $ref, displayName});
// Entra sends it in several shapes (T10/Q8), all stored as `{ value }`.

import { attribute, complexAttribute } from './attribute-definition.js';
import type { AttributeDefinition, SchemaDefinition } from './attribute-definition.js';
import { ENTERPRISE_USER_SCHEMA } from './schema-urns.js';

export const managerAttribute: AttributeDefinition = complexAttribute(
  'manager',
  "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy " +
    "by referencing the 'id' attribute of another User.",
  [
    attribute('value', 'string', "The id of the SCIM resource representing the User's manager.", { caseExact: true }),
    attribute('$ref', 'reference', "The URI of the SCIM resource representing the User's manager.", {
      referenceTypes: ['User'],
      caseExact: true,
    }),
    attribute('displayName', 'string', "The displayName of the User's manager.", { mutability: 'readOnly' }),
  ],
);

export const enterpriseUserSchema: SchemaDefinition = {
  id: ENTERPRISE_USER_SCHEMA,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    attribute('employeeNumber', 'string', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
    attribute('costCenter', 'string', 'Identifies the name of a cost center.'),
    attribute('organization', 'string', 'Identifies the name of an organization.'),
    attribute('division', 'string', 'Identifies the name of a division.'),
    attribute('department', 'string', 'Identifies the name of a department.'),
    managerAttribute,
  ],
};
