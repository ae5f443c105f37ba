import { describe, expect, it } from 'vitest';
import {
  canonicalUserExtensionUrn,
  CORE_USER_SCHEMA,
  coreUserSchema,
  customUserExtensionSchema,
  ENTERPRISE_USER_SCHEMA,
  findAttribute,
  findSubAttribute,
  resolveUserAttribute,
  resourceTypeResources,
  schemaResources,
  serviceProviderConfig,
  splitSchemaQualifiedName,
  userAttributeSchemaUrn,
} from '../../../shared/scim/schemas/index.js';
import type { AttributeResource } from '../../../shared/scim/schemas/index.js';

const ACME = 'urn:ietf:params:scim:schemas:extension:Acme:2.0:User';

function attributeNamed(attributes: AttributeResource[], name: string): AttributeResource {
  const found = attributes.find((attribute) => attribute.name === name);
  if (found === undefined) throw new Error(`no attribute ${name}`);
  return found;
}

describe('/Schemas', () => {
  const resources = schemaResources([
    { urn: ACME, attributes: [{ name: 'costCenter', type: 'string' }, { name: 'badge', type: 'integer' }] },
  ]);

  it('lists core User, EnterpriseUser, Group and the custom extension', () => {
    expect(resources.map((schema) => schema.id)).toEqual([
      CORE_USER_SCHEMA,
      ENTERPRISE_USER_SCHEMA,
      'urn:ietf:params:scim:schemas:core:2.0:Group',
      ACME,
    ]);
  });

  it('contains the text "User Account" (asserted by the Microsoft Postman suite)', () => {
    expect(JSON.stringify(resources)).toContain('User Account');
    expect(resources[0]?.description).toBe('User Account');
  });

  it('gives each schema meta.resourceType Schema and a relative location', () => {
    for (const schema of resources) {
      expect(schema.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
      expect(schema.meta).toEqual({ resourceType: 'Schema', location: `/Schemas/${schema.id}` });
    }
  });

  it('uses camelCase attribute properties and never null', () => {
    const text = JSON.stringify(resources);
    expect(text).not.toContain('null');
    const userName = attributeNamed(resources[0]?.attributes ?? [], 'userName');
    expect(userName).toEqual({
      name: 'userName',
      type: 'string',
      multiValued: false,
      description: expect.any(String) as unknown,
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    });
  });

  it('has every RFC 7643 §4.1 User attribute', () => {
    const names = (resources[0]?.attributes ?? []).map((attribute) => attribute.name);
    for (const name of [
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale',
      'timezone', 'active', 'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups',
      'entitlements', 'roles', 'x509Certificates',
    ]) {
      expect(names).toContain(name);
    }
    const groups = attributeNamed(resources[0]?.attributes ?? [], 'groups');
    expect(groups.mutability).toBe('readOnly');
    const emails = attributeNamed(resources[0]?.attributes ?? [], 'emails');
    expect(emails.multiValued).toBe(true);
    expect(emails.subAttributes?.map((sub) => sub.name)).toEqual(['value', 'display', 'type', 'primary']);
    expect(attributeNamed(emails.subAttributes ?? [], 'type').canonicalValues).toEqual(['work', 'home', 'other']);
  });

  it('defines the enterprise manager as complex {value, $ref, displayName}', () => {
    const manager = attributeNamed(resources[1]?.attributes ?? [], 'manager');
    expect(manager.type).toBe('complex');
    expect(manager.subAttributes?.map((sub) => sub.name)).toEqual(['value', '$ref', 'displayName']);
  });

  it('defines Group members as {value, $ref, display, type}', () => {
    const members = attributeNamed(resources[2]?.attributes ?? [], 'members');
    expect(members.subAttributes?.map((sub) => sub.name)).toEqual(['value', '$ref', 'display', 'type']);
  });

  it('Q7: describes custom extension attributes as single-valued simple attributes', () => {
    const acme = resources[3];
    expect(acme?.name).toBe('Acme');
    expect(acme?.attributes.map((attribute) => [attribute.name, attribute.type, attribute.multiValued])).toEqual([
      ['costCenter', 'string', false],
      ['badge', 'integer', false],
    ]);
  });
});

describe('/ResourceTypes', () => {
  it('lists User first with endpoint /Users (asserted by the Microsoft Postman suite), then Group', () => {
    const [user, group] = resourceTypeResources([ACME]);
    expect(user?.endpoint).toBe('/Users');
    expect(user?.schema).toBe(CORE_USER_SCHEMA);
    expect(user?.schemaExtensions).toEqual([
      { schema: ENTERPRISE_USER_SCHEMA, required: false },
      { schema: ACME, required: false },
    ]);
    expect(group?.endpoint).toBe('/Groups');
    expect(user?.meta).toEqual({ resourceType: 'ResourceType', location: '/ResourceTypes/User' });
  });
});

describe('/ServiceProviderConfig', () => {
  it('advertises patch, filter (200), etag and a primary OAuth bearer token; no bulk, sort or changePassword', () => {
    const config = serviceProviderConfig();
    expect(config.patch.supported).toBe(true);
    expect(config.bulk.supported).toBe(false);
    expect(config.filter).toEqual({ supported: true, maxResults: 200 });
    expect(config.changePassword.supported).toBe(false);
    expect(config.sort.supported).toBe(false);
    expect(config.etag.supported).toBe(true);
    expect(config.authenticationSchemes).toEqual([
      expect.objectContaining({ type: 'oauthbearertoken', primary: true }),
    ]);
  });
});

describe('schema lookups', () => {
  it('find attributes and sub-attributes ignoring case (G11)', () => {
    const emails = findAttribute(coreUserSchema.attributes, 'EMAILS');
    expect(emails?.name).toBe('emails');
    expect(emails === undefined ? undefined : findSubAttribute(emails, 'Value')?.name).toBe('value');
  });

  it('know which URN an attribute belongs to', () => {
    expect(userAttributeSchemaUrn('userName')).toBe(CORE_USER_SCHEMA);
    expect(userAttributeSchemaUrn('Department')).toBe(ENTERPRISE_USER_SCHEMA);
    expect(userAttributeSchemaUrn('adreses')).toBeUndefined();
  });

  it('resolve an unqualified enterprise attribute (the old MS sample writes `manager`)', () => {
    expect(resolveUserAttribute({ attr: 'manager' })?.schemaUrn).toBe(ENTERPRISE_USER_SCHEMA);
    expect(resolveUserAttribute({ schema: CORE_USER_SCHEMA, attr: 'manager' })).toBeUndefined();
    expect(resolveUserAttribute({ attr: 'name', subAttr: 'GIVENNAME' })?.subAttribute?.name).toBe('givenName');
  });

  it('split URN-qualified names, canonicalising the fixed parts of extension URNs', () => {
    expect(splitSchemaQualifiedName(`${ENTERPRISE_USER_SCHEMA}:department`)).toEqual({
      urn: ENTERPRISE_USER_SCHEMA,
      name: 'department',
    });
    expect(splitSchemaQualifiedName('URN:ietf:params:scim:schemas:extension:Acme:2.0:user:costCenter')).toEqual({
      urn: ACME,
      name: 'costCenter',
    });
    expect(splitSchemaQualifiedName('urn:ietf:params:scim:schemas:extension:enterprise:2.0User')).toBeUndefined();
    expect(canonicalUserExtensionUrn('urn:ietf:params:scim:schemas:extension:ENTERPRISE:2.0:User')).toBe(ENTERPRISE_USER_SCHEMA);
  });

  it('parse custom extension configuration, rejecting the enterprise URN and bad names', () => {
    expect(customUserExtensionSchema.parse({ urn: ACME, attributes: [{ name: 'costCenter', type: 'string' }] }).urn).toBe(ACME);
    expect(customUserExtensionSchema.safeParse({ urn: ENTERPRISE_USER_SCHEMA, attributes: [] }).success).toBe(false);
    expect(customUserExtensionSchema.safeParse({ urn: ACME, attributes: [{ name: 'cost center', type: 'string' }] }).success).toBe(false);
  });
});
