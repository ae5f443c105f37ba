// RFC 7643 §4.1 / §8.7.1: the core User schema as data. `externalId` (a common attribute, RFC 7643 §3.1) is listed
// too, because Entra maps it (mailNickname/objectId → externalId) and its schema discovery matches mapped attributes
// against /Schemas. `id` and `meta` are common attributes the server computes; they are not listed.

import {
  attribute,
  complexAttribute,
  standardMultiValuedSubAttributes,
} from './attribute-definition.js';
import type { AttributeDefinition, SchemaDefinition } from './attribute-definition.js';
import { CORE_USER_SCHEMA } from './schema-urns.js';

export const externalIdAttribute: AttributeDefinition = attribute(
  'externalId',
  'string',
  'A String that is an identifier for the resource as defined by the provisioning client.',
  { caseExact: true },
);

const nameAttribute = complexAttribute(
  'name',
  "The components of the user's real name.",
  [
    attribute('formatted', 'string', "The full name, including all middle names, titles, and suffixes as appropriate."),
    attribute('familyName', 'string', "The family name of the User, or last name in most Western languages."),
    attribute('givenName', 'string', "The given name of the User, or first name in most Western languages."),
    attribute('middleName', 'string', "The middle name(s) of the User."),
    attribute('honorificPrefix', 'string', "The honorific prefix(es) of the User, or title in most Western languages."),
    attribute('honorificSuffix', 'string', "The honorific suffix(es) of the User, or suffix in most Western languages."),
  ],
);

const addressesAttribute = complexAttribute(
  'addresses',
  'A physical mailing address for this User.',
  [
    attribute('formatted', 'string', 'The full mailing address, formatted for display or use with a mailing label.'),
    attribute('streetAddress', 'string', 'The full street address component.'),
    attribute('locality', 'string', 'The city or locality component.'),
    attribute('region', 'string', 'The state or region component.'),
    attribute('postalCode', 'string', 'The zip code or postal code component.'),
    attribute('country', 'string', 'The country name component.'),
    attribute('type', 'string', "A label indicating the attribute's function.", {
      canonicalValues: ['work', 'home', 'other'],
    }),
    attribute('primary', 'boolean', "A Boolean value indicating the 'primary' or preferred address."),
  ],
  { multiValued: true },
);

const groupsAttribute = complexAttribute(
  'groups',
  'A list of groups to which the user belongs, either through direct membership or through nested groups.',
  [
    attribute('value', 'string', "The identifier of the User's group.", { mutability: 'readOnly' }),
    attribute('$ref', 'reference', "The URI of the corresponding 'Group' resource.", {
      mutability: 'readOnly',
      referenceTypes: ['User', 'Group'],
      caseExact: true,
    }),
    attribute('display', 'string', 'A human-readable name, primarily used for display purposes.', {
      mutability: 'readOnly',
    }),
    attribute('type', 'string', "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", {
      mutability: 'readOnly',
      canonicalValues: ['direct', 'indirect'],
    }),
  ],
  { multiValued: true, mutability: 'readOnly' },
);

const coreUserAttributes: readonly AttributeDefinition[] = [
  externalIdAttribute,
  attribute(
    'userName',
    'string',
    'Unique identifier for the User, typically used by the user to directly authenticate to the service provider.',
    { required: true, uniqueness: 'server' },
  ),
  nameAttribute,
  attribute('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
  attribute('nickName', 'string', 'The casual way to address the user in real life.'),
  attribute('profileUrl', 'reference', "A fully qualified URL pointing to a page representing the User's online profile.", {
    referenceTypes: ['external'],
  }),
  attribute('title', 'string', "The user's title, such as \"Vice President\"."),
  attribute('userType', 'string', 'Used to identify the relationship between the organization and the user.'),
  attribute('preferredLanguage', 'string', "Indicates the User's preferred written or spoken language."),
  attribute('locale', 'string', "Used to indicate the User's default location for purposes of localizing items."),
  attribute('timezone', 'string', "The User's time zone in the 'Olson' time zone database format."),
  attribute('active', 'boolean', "A Boolean value indicating the User's administrative status."),
  attribute('password', 'string', "The User's cleartext password. Never returned.", {
    mutability: 'writeOnly',
    returned: 'never',
  }),
  complexAttribute('emails', 'Email addresses for the user.', standardMultiValuedSubAttributes('email address', ['work', 'home', 'other']), {
    multiValued: true,
  }),
  complexAttribute(
    'phoneNumbers',
    'Phone numbers for the User.',
    standardMultiValuedSubAttributes('phone number', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
    { multiValued: true },
  ),
  complexAttribute(
    'ims',
    'Instant messaging addresses for the User.',
    standardMultiValuedSubAttributes('instant messaging address', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
    { multiValued: true },
  ),
  complexAttribute(
    'photos',
    'URLs of photos of the User.',
    standardMultiValuedSubAttributes('photo', ['photo', 'thumbnail'], { referenceTypes: ['external'] }),
    { multiValued: true },
  ),
  addressesAttribute,
  groupsAttribute,
  complexAttribute('entitlements', 'A list of entitlements for the User that represent a thing the User has.', standardMultiValuedSubAttributes('entitlement', undefined), {
    multiValued: true,
  }),
  complexAttribute('roles', "A list of roles for the User that collectively represent who the User is.", standardMultiValuedSubAttributes('role', undefined), {
    multiValued: true,
  }),
  complexAttribute(
    'x509Certificates',
    'A list of certificates issued to the User.',
    standardMultiValuedSubAttributes('certificate', undefined, { type: 'binary' }),
    { multiValued: true },
  ),
];

export const coreUserSchema: SchemaDefinition = {
  id: CORE_USER_SCHEMA,
  name: 'User',
  description: 'User Account',
  attributes: coreUserAttributes,
};
