import { describe, expect, it } from 'vitest';
import { listRepoFiles } from './bicep-text.js';
import { DEPRECATED_APP_SETTINGS, DEPRECATED_SITE_PROPERTIES, deprecatedNamesIn, infraCode } from './flex-deprecations.js';

describe('Flex Consumption deprecations', () => {
  const files = listRepoFiles('infra').filter((file) => /\.(bicep|json)$/.test(file));

  it.each(files)('%s sets no deprecated site property or app setting', (file) => {
    expect(deprecatedNamesIn(infraCode(file))).toEqual([]);
  });

  it('still checks what the issue names (the list is the documented one, not a shortened copy)', () => {
    expect(DEPRECATED_SITE_PROPERTIES).toEqual(expect.arrayContaining(['ftpsState', 'alwaysOn']));
    expect(DEPRECATED_APP_SETTINGS).toEqual(
      expect.arrayContaining([
        'FUNCTIONS_WORKER_RUNTIME',
        'FUNCTIONS_EXTENSION_VERSION',
        'WEBSITE_NODE_DEFAULT_VERSION',
        'WEBSITE_RUN_FROM_PACKAGE',
        'WEBSITE_CONTENTSHARE',
        'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
      ]),
    );
  });
});

describe('finding deprecated names', () => {
  it('finds site properties and app settings as keys, quoted keys and quoted names, in any case', () => {
    const bicep = `
    siteConfig: {
      ftpsState: 'Disabled'
      alwaysOn: false
    }
    var appSettings = {
      'WEBSITE_RUN_FROM_PACKAGE': '1'
      functions_worker_runtime: 'node'
    }
    var names = [ 'WEBSITE_CONTENTSHARE' ]`;
    expect(deprecatedNamesIn(bicep).sort()).toEqual(
      ['FUNCTIONS_WORKER_RUNTIME', 'WEBSITE_CONTENTSHARE', 'WEBSITE_RUN_FROM_PACKAGE', 'alwaysOn', 'ftpsState'].sort(),
    );
    expect(deprecatedNamesIn('{ "FUNCTIONS_EXTENSION_VERSION": { "value": "~4" } }')).toEqual(['FUNCTIONS_EXTENSION_VERSION']);
  });

  it('leaves look-alike names alone (the allowed ones share a prefix with deprecated ones)', () => {
    const bicep = `
    AzureWebJobsStorage__credential: 'managedidentity'
    reserved: true
    scmMinTlsVersion: '1.2'
    runtime: { name: runtimeName, version: runtimeVersion }
    FUNCTIONS_WORKER_RUNTIME_FLAG_UNRELATED: 'x'`;
    expect(deprecatedNamesIn(bicep)).toEqual([]);
  });
});
