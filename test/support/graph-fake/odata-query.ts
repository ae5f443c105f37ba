// The fake's reading of OData query options, as strict as Graph: $select names known properties only (unselected
// ones are absent from the answer, and without $select a default set comes back), $top is 1..999, and $filter
// understands only the forms the docs say work without advanced queries (anything else is 400
// Request_UnsupportedQuery). Deliberately its own property lists, not the product's.
import type { ObjectType, Properties } from './fake-tenant.js';

export class ODataError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const USER_PROPERTIES = new Set([
  'id', 'accountEnabled', 'ageGroup', 'assignedLicenses', 'assignedPlans', 'businessPhones', 'city', 'companyName',
  'consentProvidedForMinor', 'country', 'createdDateTime', 'creationType', 'deletedDateTime', 'department',
  'displayName', 'employeeHireDate', 'employeeId', 'employeeLeaveDateTime', 'employeeOrgData', 'employeeType',
  'externalUserState', 'externalUserStateChangeDateTime', 'faxNumber', 'givenName', 'identities', 'imAddresses',
  'isResourceAccount', 'jobTitle', 'lastPasswordChangeDateTime', 'legalAgeGroupClassification', 'mail',
  'mailNickname', 'mobilePhone', 'officeLocation', 'onPremisesDistinguishedName', 'onPremisesDomainName',
  'onPremisesExtensionAttributes', 'onPremisesImmutableId', 'onPremisesLastSyncDateTime', 'onPremisesSamAccountName',
  'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled', 'onPremisesUserPrincipalName', 'otherMails',
  'passwordPolicies', 'postalCode', 'preferredDataLocation', 'preferredLanguage', 'proxyAddresses',
  'securityIdentifier', 'showInAddressList', 'state', 'streetAddress', 'surname', 'usageLocation',
  'userPrincipalName', 'userType',
]);
/** Readable on one user only: selecting them on a list is 501. */
const SINGLE_USER_PROPERTIES = new Set(['aboutMe', 'birthday', 'hireDate', 'interests', 'mySite', 'pastProjects', 'preferredName', 'responsibilities', 'schools', 'skills', 'mailboxSettings']);
const USER_DEFAULT = ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'];

const GROUP_PROPERTIES = new Set([
  'id', 'classification', 'createdDateTime', 'deletedDateTime', 'description', 'displayName', 'expirationDateTime',
  'groupTypes', 'isAssignableToRole', 'mail', 'mailEnabled', 'mailNickname', 'membershipRule',
  'membershipRuleProcessingState', 'onPremisesSamAccountName', 'onPremisesSecurityIdentifier', 'onPremisesSyncEnabled', 'proxyAddresses',
  'securityEnabled', 'securityIdentifier', 'visibility',
]);
const GROUP_DEFAULT = ['id', 'createdDateTime', 'description', 'displayName', 'groupTypes', 'mail', 'mailEnabled', 'mailNickname', 'membershipRule', 'membershipRuleProcessingState', 'securityEnabled', 'visibility'];

const DIRECTORY_EXTENSION = /^extension_[0-9a-f]{32}_\w+$/i;

/** The $select list for `type`, checked; undefined when the request has none (default set). */
export function parseSelect(raw: string | null, type: ObjectType, options: { collection: boolean; delta?: boolean }): string[] | undefined {
  if (raw === null) return undefined;
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name !== '');
  const known = type === 'user' ? USER_PROPERTIES : GROUP_PROPERTIES;
  for (const name of names) {
    if (options.delta === true && type === 'group' && name === 'members') continue;
    if (type === 'user' && options.collection && SINGLE_USER_PROPERTIES.has(name)) {
      throw new ODataError(501, 'NotImplemented', `This operation target is not yet supported: ${name} cannot be selected on a collection.`);
    }
    if (!known.has(name) && !DIRECTORY_EXTENSION.test(name)) {
      throw new ODataError(400, 'Request_BadRequest', `Could not find a property named '${name}' on type 'microsoft.graph.${type}'.`);
    }
  }
  return names;
}

/** The object as Graph shows it: selected (or default) properties only; extension values absent when unset. */
export function project(object: Properties, type: ObjectType, select: readonly string[] | undefined, options: { alwaysId?: boolean } = {}): Properties {
  const names = select ?? (type === 'user' ? USER_DEFAULT : GROUP_DEFAULT);
  const shown: Properties = {};
  if (options.alwaysId === true) shown.id = object.id;
  for (const name of names) {
    if (name === 'members') continue;
    const value = object[name];
    if (DIRECTORY_EXTENSION.test(name)) {
      if (value !== undefined && value !== null) shown[name] = value;
    } else {
      shown[name] = value === undefined ? null : structuredClone(value);
    }
  }
  return shown;
}

export function parseTop(raw: string | null): number | undefined {
  if (raw === null) return undefined;
  const top = Number(raw);
  if (!Number.isInteger(top) || top < 1 || top > 999) throw new ODataError(400, 'Request_BadRequest', `Invalid page size specified: '${raw}'. Must be between 1 and 999 inclusive.`);
  return top;
}

export type FakeFilter = (object: Properties) => boolean;

function literal(raw: string): string {
  const match = /^'((?:[^']|'')*)'$/.exec(raw.trim());
  if (match === null) throw unsupported();
  return (match[1] as string).replaceAll("''", "'");
}

function unsupported(): ODataError {
  return new ODataError(400, 'Request_UnsupportedQuery', 'Unsupported Query.');
}

/** startswith(prop,'x') (case-insensitive, as Graph's directory), prop eq 'x', groupTypes/any(c:c eq 'x'), joined by `or`. */
export function parseFilter(raw: string | null, options: { idOnly?: boolean } = {}): FakeFilter | undefined {
  if (raw === null) return undefined;
  const clauses = raw.split(/\s+or\s+/i).map((clause) => clause.trim());
  const tests = clauses.map((clause): FakeFilter => {
    const idEq = /^id\s+eq\s+('.*')$/i.exec(clause);
    if (idEq !== null) {
      const id = literal(idEq[1] as string);
      return (object) => object.id === id;
    }
    if (options.idOnly === true) throw unsupported();
    const startsWith = /^startswith\((displayName|userPrincipalName|mail|mailNickname),\s*('.*')\)$/i.exec(clause);
    if (startsWith !== null) {
      const [property, prefix] = [startsWith[1] as string, literal(startsWith[2] as string).toLowerCase()];
      return (object) => typeof object[property] === 'string' && (object[property]).toLowerCase().startsWith(prefix);
    }
    const eq = /^(displayName|userPrincipalName|mail|mailNickname|employeeId)\s+eq\s+('.*')$/i.exec(clause);
    if (eq !== null) {
      const [property, value] = [eq[1] as string, literal(eq[2] as string).toLowerCase()];
      return (object) => typeof object[property] === 'string' && (object[property]).toLowerCase() === value;
    }
    const anyType = /^groupTypes\/any\(c:c\s+eq\s+('.*')\)$/i.exec(clause);
    if (anyType !== null) {
      const type = literal(anyType[1] as string);
      return (object) => Array.isArray(object.groupTypes) && object.groupTypes.includes(type);
    }
    throw unsupported();
  });
  return (object) => tests.some((test) => test(object));
}
