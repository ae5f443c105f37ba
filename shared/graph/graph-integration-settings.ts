// A Graph integration's configuration as the admin API accepts it (issue 6, section 1), parsed once with zod. Every
// object is strict, so an unknown or misspelt property is refused rather than ignored, and every problem names its
// field. The client secret is write-only: it is part of the input, never of the settings that are stored or shown
// (it goes to the secret store).
import { z } from 'zod';
import { GRAPH_CLOUD_NAMES } from './graph-cloud.js';
import { isExtensionAttribute, userAttributeNameProblem } from './graph-user-attributes.js';

/** Bounds, so one integration cannot ask for an unbounded query plan. */
export const GRAPH_SETTINGS_LIMITS = {
  displayNamePrefixes: 50,
  displayNamePrefixLength: 256,
  groupIds: 1000,
  userAttributes: 100,
  clientSecretLength: 1024,
} as const;

export const GROUP_KINDS = ['security', 'mailEnabledSecurity', 'microsoft365', 'dynamic'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];

export const MEMBERSHIP_DEPTHS = ['transitive', 'direct'] as const;

const guid = (what: string) => z.guid(`${what} must be a GUID such as 00000000-0000-0000-0000-000000000000`);

function uniqueItems<T>(items: readonly T[], context: z.core.$RefinementCtx<readonly T[]>, what: string): void {
  const seen = new Set<T>();
  items.forEach((item, index) => {
    if (seen.has(item)) context.addIssue({ code: 'custom', message: `${what} ${String(item)} is listed twice`, path: [index] });
    seen.add(item);
  });
}

const groupSelectionSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('all') }),
  z.strictObject({
    mode: z.literal('displayNamePrefixes'),
    prefixes: z
      .array(z.string().min(1, 'a prefix cannot be empty').max(GRAPH_SETTINGS_LIMITS.displayNamePrefixLength))
      .min(1, 'name at least one displayName prefix')
      .max(GRAPH_SETTINGS_LIMITS.displayNamePrefixes)
      .superRefine((items, context) => uniqueItems(items, context, 'prefix')),
  }),
  z.strictObject({
    mode: z.literal('groupIds'),
    groupIds: z
      .array(guid('a group id').transform((id) => id.toLowerCase()))
      .min(1, 'name at least one group id')
      .max(GRAPH_SETTINGS_LIMITS.groupIds)
      .superRefine((items, context) => uniqueItems(items, context, 'group id')),
  }),
]);
export type GroupSelection = z.infer<typeof groupSelectionSchema>;

const matchingKeySchema = z.discriminatedUnion('kind', [
  /** userPrincipalName against the Content Manager username, case-insensitively (as SCIM matches). */
  z.strictObject({ kind: z.literal('upn') }),
  /** The part of userPrincipalName before `@` against the username. */
  z.strictObject({ kind: z.literal('upnPrefix') }),
  z.strictObject({ kind: z.literal('mail') }),
  z.strictObject({ kind: z.literal('employeeId') }),
  z.strictObject({ kind: z.literal('onPremisesSamAccountName') }),
  /** A named extension attribute (onPremisesExtensionAttributes.extensionAttributeN or extension_<appId>_<name>). */
  z.strictObject({
    kind: z.literal('extensionAttribute'),
    attribute: z.string().refine(isExtensionAttribute, {
      message: 'name onPremisesExtensionAttributes.extensionAttribute1 to 15, or extension_<app id without hyphens>_<name>',
    }),
  }),
]);
export type MatchingKey = z.infer<typeof matchingKeySchema>;

const userAttributeSchema = z.string().superRefine((name, context) => {
  const problem = userAttributeNameProblem(name);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});

/** What is stored and shown: everything but the secret. */
export const graphIntegrationSettingsSchema = z.strictObject({
  tenantId: guid('tenantId').transform((id) => id.toLowerCase()),
  clientId: guid('clientId').transform((id) => id.toLowerCase()),
  cloud: z.enum(GRAPH_CLOUD_NAMES).default('global'),
  groupSelection: groupSelectionSchema,
  groupKinds: z
    .array(z.enum(GROUP_KINDS))
    .min(1, 'name at least one group kind')
    .superRefine((items, context) => uniqueItems(items, context, 'group kind'))
    .default([...GROUP_KINDS]),
  membershipDepth: z.enum(MEMBERSHIP_DEPTHS).default('transitive'),
  matchingKey: matchingKeySchema.default({ kind: 'upn' }),
  userAttributes: z
    .array(userAttributeSchema)
    .max(GRAPH_SETTINGS_LIMITS.userAttributes)
    .superRefine((items, context) => uniqueItems(items, context, 'attribute'))
    .default([]),
  enabled: z.boolean().default(true),
});
export type GraphIntegrationSettings = z.infer<typeof graphIntegrationSettingsSchema>;

const clientSecretSchema = z.string().min(1, 'clientSecret cannot be empty').max(GRAPH_SETTINGS_LIMITS.clientSecretLength);

/** Creating an integration: the settings and the client secret. */
export const graphIntegrationCreateSchema = graphIntegrationSettingsSchema.extend({ clientSecret: clientSecretSchema });
/** Replacing an integration's settings: the secret may be left out to keep the stored one. */
export const graphIntegrationUpdateSchema = graphIntegrationSettingsSchema.extend({ clientSecret: clientSecretSchema.optional() });

export interface GraphIntegrationInput {
  readonly settings: GraphIntegrationSettings;
  /** The new client secret, for the secret store only; undefined on an update that keeps the stored one. */
  readonly clientSecret: string | undefined;
}

export interface GraphSettingsProblem {
  /** The field, dotted: `groupSelection.prefixes.0`, `userAttributes.2`, `matchingKey.attribute`. */
  readonly field: string;
  readonly message: string;
}

export class GraphSettingsError extends Error {
  constructor(readonly problems: readonly GraphSettingsProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'GraphSettingsError';
  }
}

function problemsOf(error: z.ZodError): GraphSettingsProblem[] {
  return error.issues.flatMap((issue): GraphSettingsProblem[] => {
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...at, key].join('.'), message: 'unknown property' }));
    }
    return [{ field: at.join('.') || '(body)', message: issue.message }];
  });
}

/** Parses an admin request body; throws GraphSettingsError naming every bad field. Never echoes the secret. */
export function parseGraphIntegrationInput(body: unknown, mode: 'create' | 'update'): GraphIntegrationInput {
  const result = (mode === 'create' ? graphIntegrationCreateSchema : graphIntegrationUpdateSchema).safeParse(body);
  if (!result.success) throw new GraphSettingsError(problemsOf(result.error));
  const { clientSecret, ...settings } = result.data;
  return { settings, clientSecret };
}

/** Parses settings read back from storage (no secret in them). */
export function parseStoredGraphSettings(stored: unknown): GraphIntegrationSettings {
  const result = graphIntegrationSettingsSchema.safeParse(stored);
  if (!result.success) throw new GraphSettingsError(problemsOf(result.error));
  return result.data;
}
