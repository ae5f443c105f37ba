// The rule between the settings schema (shared/config.ts) and the Function App's app settings (infra/app/api.bicep):
//   app settings = schema settings − localOnly − platformProvided + platform
// with the three lists, and the reason for each entry, in infra/settings-parity.json.
import { z } from 'zod';
import { blockAfter, readRepoFile, stripBicepComments, topLevelKeys } from './bicep-text.js';

const listSchema = z.array(z.object({ name: z.string().min(1), reason: z.string().min(20) }).strict());

export const parityFileSchema = z
  .object({ $comment: z.string(), localOnly: listSchema, platform: listSchema, platformProvided: listSchema })
  .strict();

export type ParityLists = z.infer<typeof parityFileSchema>;

export const PARITY_FILE = 'infra/settings-parity.json';
export const API_BICEP = 'infra/app/api.bicep';

export function loadParityLists(): ParityLists {
  return parityFileSchema.parse(JSON.parse(readRepoFile(PARITY_FILE)));
}

/** Keys of `var appSettings = { … }` in infra/app/api.bicep: every app setting the Function App gets. */
export function bicepAppSettingNames(): string[] {
  return topLevelKeys(blockAfter(stripBicepComments(readRepoFile(API_BICEP)), /\bvar\s+appSettings\s*=\s*\{/));
}

export interface SettingsDrift {
  /** Settings the Bicep should set and does not. */
  missingFromBicep: string[];
  /** Settings the Bicep sets that are neither read by the code nor listed as platform settings. */
  unexpectedInBicep: string[];
  /** localOnly or platformProvided entries the schema no longer has: a stale list. */
  staleLocalOnly: string[];
  /** platform entries the code reads after all: they belong in the schema, not in the list. */
  platformReadByCode: string[];
}

export function settingsDrift(
  schemaNames: readonly string[],
  lists: ParityLists,
  bicepNames: readonly string[],
): SettingsDrift {
  // Neither kind is an app setting: one is for developer machines, the other the platform sets in the environment.
  const localOnly = new Set([...lists.localOnly, ...lists.platformProvided].map((entry) => entry.name));
  const platform = lists.platform.map((entry) => entry.name);
  const expected = new Set([...schemaNames.filter((name) => !localOnly.has(name)), ...platform]);
  const actual = new Set(bicepNames);
  return {
    missingFromBicep: [...expected].filter((name) => !actual.has(name)).sort(),
    unexpectedInBicep: [...actual].filter((name) => !expected.has(name)).sort(),
    staleLocalOnly: [...localOnly].filter((name) => !schemaNames.includes(name)).sort(),
    platformReadByCode: platform.filter((name) => schemaNames.includes(name)).sort(),
  };
}
