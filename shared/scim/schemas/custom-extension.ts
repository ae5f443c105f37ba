// Custom user extensions (Q7): `urn:ietf:params:scim:schemas:extension:<Name>:2.0:User` with single-valued simple
// attributes only (Entra cannot feed multi-valued, complex or reference-typed custom attributes on non-gallery apps,
// but a gallery app may declare `reference`). Configured per integration; parse the configuration with this schema.

import { z } from 'zod';
import { attribute } from './attribute-definition.js';
import type { SchemaDefinition } from './attribute-definition.js';
import { canonicalUserExtensionUrn, isCustomUserExtensionUrn, isValidAttributeName, userExtensionName } from './schema-urns.js';

export const customAttributeTypes = ['string', 'boolean', 'integer', 'decimal', 'dateTime', 'reference'] as const;
export type CustomAttributeType = (typeof customAttributeTypes)[number];

export interface CustomUserExtension {
  urn: string;
  attributes: { name: string; type: CustomAttributeType }[];
}

export const customUserExtensionSchema = z.object({
  urn: z
    .string()
    .refine(isCustomUserExtensionUrn, {
      message: 'expected urn:ietf:params:scim:schemas:extension:<Name>:2.0:User (not the enterprise extension)',
    })
    .transform((urn) => canonicalUserExtensionUrn(urn) ?? urn),
  attributes: z.array(
    z.object({
      name: z.string().refine(isValidAttributeName, { message: 'expected an attribute name (letters, digits, - and _)' }),
      type: z.enum(customAttributeTypes),
    }),
  ),
}) satisfies z.ZodType<CustomUserExtension, unknown>;

/** The schema definition of a custom extension, as /Schemas lists it. */
export function customExtensionSchema(extension: CustomUserExtension): SchemaDefinition {
  const urn = canonicalUserExtensionUrn(extension.urn) ?? extension.urn;
  const name = userExtensionName(urn);
  return {
    id: urn,
    name,
    description: `Custom extension ${name}`,
    attributes: extension.attributes.map((custom) =>
      attribute(custom.name, custom.type, `Custom attribute ${custom.name}.`),
    ),
  };
}
