// The vocabulary of RFC 7643 §2.2/§7 attribute definitions, and small builders that fill in the RFC defaults so the
// schema files read as data: an attribute is single-valued, optional, case-insensitive, readWrite, returned by
// default and not unique unless it says otherwise.

export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'binary'
  | 'reference'
  | 'complex';

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDefinition {
  readonly name: string;
  readonly type: AttributeType;
  readonly multiValued: boolean;
  readonly description: string;
  readonly required: boolean;
  readonly caseExact: boolean;
  readonly mutability: Mutability;
  readonly returned: Returned;
  readonly uniqueness: Uniqueness;
  readonly canonicalValues?: readonly string[];
  readonly referenceTypes?: readonly string[];
  /** Present only for `complex` attributes; sub-attributes are never complex themselves (RFC 7643 §2.3.8). */
  readonly subAttributes?: readonly AttributeDefinition[];
}

export interface SchemaDefinition {
  /** The schema URN, e.g. `urn:ietf:params:scim:schemas:core:2.0:User`. */
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly attributes: readonly AttributeDefinition[];
}

/** Everything but name, type and description, each defaulting as RFC 7643 §7 says. */
export type AttributeOptions = Partial<Omit<AttributeDefinition, 'name' | 'type' | 'description' | 'subAttributes'>>;

export function attribute(
  name: string,
  type: Exclude<AttributeType, 'complex'>,
  description: string,
  options: AttributeOptions = {},
): AttributeDefinition {
  return {
    name,
    type,
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
  };
}

export function complexAttribute(
  name: string,
  description: string,
  subAttributes: readonly AttributeDefinition[],
  options: AttributeOptions = {},
): AttributeDefinition {
  return {
    name,
    type: 'complex',
    multiValued: false,
    description,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
    subAttributes,
  };
}

/**
 * The `value`, `display`, `type` and `primary` sub-attributes that most multi-valued attributes share
 * (RFC 7643 §2.4), e.g. for `emails`: the address, a label, one of `typeValues`, and the primary flag.
 */
export function standardMultiValuedSubAttributes(
  subject: string,
  typeValues: readonly string[] | undefined,
  valueOptions: { type?: 'string' | 'reference' | 'binary'; referenceTypes?: readonly string[] } = {},
): AttributeDefinition[] {
  const valueAttribute =
    valueOptions.referenceTypes === undefined
      ? attribute('value', valueOptions.type ?? 'string', `The value of the ${subject}.`)
      : attribute('value', 'reference', `The value of the ${subject}.`, {
          referenceTypes: valueOptions.referenceTypes,
        });
  const typeOptions: AttributeOptions = typeValues === undefined ? {} : { canonicalValues: typeValues };
  return [
    valueAttribute,
    attribute('display', 'string', 'A human-readable name, primarily used for display purposes. READ-ONLY.'),
    attribute('type', 'string', `A label indicating the ${subject}'s function.`, typeOptions),
    attribute(
      'primary',
      'boolean',
      `A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary ` +
        `attribute value 'true' MUST appear no more than once.`,
    ),
  ];
}
