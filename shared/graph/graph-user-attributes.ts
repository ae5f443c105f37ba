// The user attribute names a Graph integration may import or match on, as Graph spells them: standard properties of
// the v1.0 user resource that a collection can return, the fifteen onPremisesExtensionAttributes, and named directory
// extensions (extension_<appId without hyphens>_<name>, which these permissions cannot discover, so the admin names
// them). Also how each name maps to a $select item and how its value is read from a Graph user object.

/** Standard v1.0 user properties with a plain value (string, boolean, date or list of strings) that `/users` returns. */
export const STANDARD_USER_PROPERTIES = [
  'accountEnabled', 'ageGroup', 'businessPhones', 'city', 'companyName', 'consentProvidedForMinor', 'country',
  'createdDateTime', 'creationType', 'department', 'displayName', 'employeeHireDate', 'employeeId',
  'employeeLeaveDateTime', 'employeeType', 'externalUserState', 'externalUserStateChangeDateTime', 'faxNumber',
  'givenName', 'id', 'imAddresses', 'isResourceAccount', 'jobTitle', 'lastPasswordChangeDateTime',
  'legalAgeGroupClassification', 'mail', 'mailNickname', 'mobilePhone', 'officeLocation', 'onPremisesDistinguishedName',
  'onPremisesDomainName', 'onPremisesImmutableId', 'onPremisesLastSyncDateTime', 'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled', 'onPremisesUserPrincipalName', 'otherMails', 'postalCode',
  'preferredDataLocation', 'preferredLanguage', 'proxyAddresses', 'securityIdentifier', 'showInAddressList', 'state',
  'streetAddress', 'surname', 'usageLocation', 'userPrincipalName', 'userType',
] as const;

/** Sub-properties of complex standard properties, named with a dot like the extension attributes. */
const NESTED_STANDARD_USER_PROPERTIES = ['employeeOrgData.division', 'employeeOrgData.costCenter'] as const;

/** Properties Graph refuses in a collection (501 on /users); named so the error can say why. */
const SINGLE_USER_ONLY_PROPERTIES = new Set([
  'aboutMe', 'birthday', 'hireDate', 'interests', 'mySite', 'pastProjects', 'preferredName', 'responsibilities',
  'schools', 'skills', 'mailboxSettings',
]);

const ON_PREMISES_EXTENSION_ATTRIBUTE = /^onPremisesExtensionAttributes\.extensionAttribute(?:[1-9]|1[0-5])$/;
/** Graph's form: extension_ + the owning app's id without hyphens (32 hex digits) + _ + the property name. */
const DIRECTORY_EXTENSION = /^extension_[0-9a-f]{32}_[A-Za-z0-9_]{1,120}$/i;
const DIRECTORY_EXTENSION_WITH_HYPHENS =
  /^extension_([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})_([A-Za-z0-9_]{1,120})$/i;

const knownPlainNames = new Set<string>([...STANDARD_USER_PROPERTIES, ...NESTED_STANDARD_USER_PROPERTIES]);

export function isOnPremisesExtensionAttribute(name: string): boolean {
  return ON_PREMISES_EXTENSION_ATTRIBUTE.test(name);
}

export function isDirectoryExtension(name: string): boolean {
  return DIRECTORY_EXTENSION.test(name);
}

/** An extension attribute a matching key may name: onPremisesExtensionAttributes.extensionAttributeN or a directory extension. */
export function isExtensionAttribute(name: string): boolean {
  return isOnPremisesExtensionAttribute(name) || isDirectoryExtension(name);
}

/** Why `name` is not an importable user attribute, in words an admin can act on; undefined when it is one. */
export function userAttributeNameProblem(name: string): string | undefined {
  if (knownPlainNames.has(name) || isExtensionAttribute(name)) return undefined;
  if (SINGLE_USER_ONLY_PROPERTIES.has(name)) return `${name} cannot be read for a list of users in Microsoft Graph`;
  const hyphenated = DIRECTORY_EXTENSION_WITH_HYPHENS.exec(name);
  if (hyphenated !== null) {
    const [, a, b, c, d, e, property] = hyphenated;
    return `write the app id without hyphens: extension_${a}${b}${c}${d}${e}_${property}`;
  }
  if (name.startsWith('onPremisesExtensionAttributes')) return 'use onPremisesExtensionAttributes.extensionAttribute1 to extensionAttribute15';
  if (name.toLowerCase().startsWith('extension_')) return 'a directory extension is named extension_<app id without hyphens>_<name>';
  return `${name} is not a Microsoft Graph user property this integration can import`;
}

/** The $select item that brings `attribute` back: the top-level property for a dotted name. */
export function graphSelectNameOf(attribute: string): string {
  const dot = attribute.indexOf('.');
  return dot === -1 ? attribute : attribute.slice(0, dot);
}

/** The value of `attribute` on a Graph user object; undefined when absent, null when Graph says null. */
export function userAttributeValue(user: Readonly<Record<string, unknown>>, attribute: string): unknown {
  let current: unknown = user;
  for (const part of attribute.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
