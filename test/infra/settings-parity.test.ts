import { describe, expect, it } from 'vitest';
import { settingNames } from '../../shared/config.js';
import { readRepoFile, stripBicepComments, topLevelKeys } from './bicep-text.js';
import {
  API_BICEP,
  bicepAppSettingNames,
  loadParityLists,
  type ParityLists,
  settingsDrift,
} from './settings-parity.js';

describe('app settings in Bicep versus the settings schema', () => {
  const lists = loadParityLists();
  const bicepNames = bicepAppSettingNames();

  it('sets every setting the code reads, less the local-only ones, plus the platform settings, and no other', () => {
    expect(settingsDrift(settingNames, lists, bicepNames)).toEqual({
      missingFromBicep: [],
      unexpectedInBicep: [],
      staleLocalOnly: [],
      platformReadByCode: [],
    });
  });

  it('sets each app setting once', () => {
    expect(new Set(bicepNames).size).toBe(bicepNames.length);
  });

  it('gives the Function App that object and no other source of settings', () => {
    const api = stripBicepComments(readRepoFile(API_BICEP));
    expect(api.match(/\bproperties:\s*appSettings\b/g)).toHaveLength(1);
    expect(api.match(/\bname:\s*'appsettings'/g)).toHaveLength(1);
    // Without this the site module merges the live settings in, and a setting removed from Bicep stays in Azure.
    expect(api).toMatch(/name:\s*'appsettings'\s+retainCurrentAppSettings:\s*false\s+properties:\s*appSettings\b/);
    // Each of these would make the site module add settings of its own, outside the parity rule.
    const settingSources = [
      'appSettingsKeyValuePairs',
      'storageAccountResourceId',
      'applicationInsightResourceId',
      'appInsightResourceId',
    ];
    for (const param of settingSources) expect(api).not.toMatch(new RegExp(`\\b${param}\\s*:`));
  });
});

describe('the parity rule itself', () => {
  const lists: ParityLists = {
    $comment: 'test',
    localOnly: [{ name: 'LOCAL_ONLY', reason: 'a setting only developers use' }],
    platform: [{ name: 'HOST_ONLY', reason: 'a setting only the host reads' }],
    platformProvided: [{ name: 'FROM_PLATFORM', reason: 'a variable the platform itself sets' }],
  };

  it('fails a new schema setting that the Bicep does not set', () => {
    const drift = settingsDrift(['A', 'LOCAL_ONLY', 'GRAPH_SYNC_SCHEDULE'], lists, ['A', 'HOST_ONLY']);
    expect(drift.missingFromBicep).toEqual(['GRAPH_SYNC_SCHEDULE']);
  });

  it('fails a Bicep setting that nothing reads', () => {
    expect(settingsDrift(['A'], lists, ['A', 'HOST_ONLY', 'LEFTOVER']).unexpectedInBicep).toEqual(['LEFTOVER']);
  });

  it('expects no app setting for a variable the platform sets, and fails one the Bicep sets anyway', () => {
    expect(settingsDrift(['A', 'LOCAL_ONLY', 'FROM_PLATFORM'], lists, ['A', 'HOST_ONLY']).missingFromBicep).toEqual([]);
    expect(settingsDrift(['A', 'LOCAL_ONLY', 'FROM_PLATFORM'], lists, ['A', 'HOST_ONLY', 'FROM_PLATFORM']).unexpectedInBicep).toEqual(['FROM_PLATFORM']);
  });

  it('fails lists that drifted from the schema', () => {
    const drift = settingsDrift(['A', 'HOST_ONLY'], lists, ['A', 'HOST_ONLY']);
    expect(drift.staleLocalOnly).toEqual(['FROM_PLATFORM', 'LOCAL_ONLY']);
    expect(drift.platformReadByCode).toEqual(['HOST_ONLY']);
  });
});

describe('reading Bicep objects', () => {
  it('lists top-level keys only, bare or quoted, ignoring comments and nested blocks', () => {
    const body = stripBicepComments(`
  A: 'x' // B: 'not a key'
  'C-D': {
    NESTED: 1
  }
  /* E: 2 */
  F: [
    { G: 3 }
  ]
  H: 'https://example.net/path' // the URL's // stays in the string
`);
    expect(topLevelKeys(body)).toEqual(['A', 'C-D', 'F', 'H']);
  });
});
