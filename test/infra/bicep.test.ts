// What can be checked of infra/ without a Bicep compiler: runtime, roles, security settings, storage, pinning.
import { describe, expect, it } from 'vitest';
import { TABLE_NAMES } from '../../shared/storage/table-clients.js';
import { blockAfter, listRepoFiles, readRepoFile, stripBicepComments } from './bicep-text.js';

const bicep = (path: string): string => stripBicepComments(readRepoFile(path));
const main = bicep('infra/main.bicep');
const api = bicep('infra/app/api.bicep');
const rbac = bicep('infra/app/rbac.bicep');
const storage = bicep('infra/app/storage.bicep');

const moduleBlock = (text: string, reference: string): string =>
  blockAfter(text, new RegExp(`module\\s+\\w+\\s+'${reference.replace(/[./]/g, '\\$&')}(?::[^']*)?'\\s*=\\s*\\{`));

describe('infra/main.bicep', () => {
  it('deploys at subscription scope into a tagged resource group with abbreviated, suffixed names', () => {
    expect(main).toMatch(/^targetScope\s*=\s*'subscription'/m);
    expect(main).toMatch(/loadJsonContent\('\.\/abbreviations\.json'\)/);
    expect(main).toMatch(/uniqueString\(subscription\(\)\.id,\s*environmentName,\s*location\)/);
    expect(main).toMatch(/'azd-env-name':\s*environmentName/);
    const abbreviations = JSON.parse(readRepoFile('infra/abbreviations.json')) as Record<string, string>;
    for (const [, key] of main.matchAll(/\babbrs\.(\w+)/g)) expect(Object.keys(abbreviations)).toContain(key);
  });

  it('takes the azd environment name and location from main.parameters.json', () => {
    const parameters = JSON.parse(readRepoFile('infra/main.parameters.json')) as {
      parameters: Record<string, { value: unknown }>;
    };
    expect(parameters.parameters.environmentName?.value).toBe('${AZURE_ENV_NAME}');
    expect(parameters.parameters.location?.value).toBe('${AZURE_LOCATION}');
    for (const name of Object.keys(parameters.parameters)) {
      expect(main).toMatch(new RegExp(`^param\\s+${name}\\b`, 'm'));
    }
  });

  it('runs Node with the major version of package.json engines', () => {
    const pkg = JSON.parse(readRepoFile('package.json')) as { engines: { node: string } };
    const enginesMajor = /(\d+)/.exec(pkg.engines.node)?.[1];
    expect(main).toMatch(/runtimeName:\s*'node'/);
    expect(/runtimeVersion:\s*'(\d+)(?:\.\d+)*'/.exec(main)?.[1]).toBe(enginesMajor);
    expect(api).toMatch(/runtime:\s*\{\s*name:\s*runtimeName\s+version:\s*runtimeVersion\s*\}/);
  });

  it('outputs the Function App URL and the base of the Tenant URLs', () => {
    expect(main).toMatch(/^output\s+FUNCTION_APP_URL\s+string\s*=/m);
    expect(main).toMatch(/^output\s+SCIM_TENANT_URL_BASE\s+string\s*=\s*'\$\{api\.outputs\.url\}\/api\/scim'/m);
  });

  it('pins every Azure Verified Module to a version', () => {
    const references = [...[main, api, storage].join('\n').matchAll(/'br\/public:([^']+)'/g)].map((m) => m[1] ?? '');
    expect(references.length).toBeGreaterThanOrEqual(7);
    for (const reference of references) expect(reference).toMatch(/^avm\/res\/[\w/-]+:\d+\.\d+\.\d+$/);
  });
});

describe('role assignments of the managed identity', () => {
  const roles = {
    'Storage Blob Data Owner': 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b',
    'Storage Queue Data Contributor': '974c5e8b-45b9-4653-ba55-5f855dd0fb88',
    'Storage Table Data Contributor': '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3',
    'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
    'Monitoring Metrics Publisher': '3913510d-42f4-4e42-8a64-420c390055eb',
  };
  const assignmentStart = /^resource\s+\w+\s+'Microsoft\.Authorization\/roleAssignments@[\w-]+'\s*=\s*\{/gm;
  const assignments = [...rbac.matchAll(assignmentStart)].map((m) => blockAfter(rbac.slice(m.index), /\{/));

  it.each(Object.entries(roles))('assigns %s with a deterministic guid name', (_role, id) => {
    const variable = new RegExp(`^var\\s+(\\w+)\\s*=\\s*'${id}'`, 'm').exec(rbac)?.[1];
    expect(variable, `role definition id ${id}`).toBeDefined();
    const block = assignments.find((text) => new RegExp(`roleDefinitions',\\s*${variable}\\)`).test(text));
    expect(block).toBeDefined();
    expect(block).toMatch(new RegExp(`^\\s*name:\\s*guid\\(\\w+\\.id,\\s*principalId,\\s*${variable}\\)`, 'm'));
    expect(block).toMatch(/principalType:\s*'ServicePrincipal'/);
  });

  it('assigns nothing else', () => {
    expect(assignments).toHaveLength(Object.keys(roles).length);
  });

  it('is given the identity of the Function App', () => {
    expect(moduleBlock(main, './app/rbac.bicep')).toMatch(/principalId:\s*identity\.outputs\.principalId/);
    expect(api).toMatch(/userAssignedResourceIds:\s*\[\s*identityId\s*\]/);
  });
});

describe('security settings', () => {
  // FTP is off through the publishing-credentials policies: Flex Consumption refuses siteConfig.ftpsState (see
  // flex-deprecations.test.ts).
  it('serves the Function App over HTTPS only, TLS 1.2 or later, with FTP and basic publishing off', () => {
    expect(api).toMatch(/\bhttpsOnly:\s*true\b/);
    expect(api).toMatch(/\bminTlsVersion:\s*'1\.2'/);
    for (const policy of ['ftp', 'scm']) {
      expect(api).toMatch(new RegExp(`name:\\s*'${policy}'\\s+allow:\\s*false`));
    }
  });

  it('runs on the Flex Consumption plan with identity-based deployment storage', () => {
    expect(moduleBlock(main, 'br/public:avm/res/web/serverfarm')).toMatch(/skuName:\s*'FC1'/);
    expect(api).toMatch(/kind:\s*'functionapp,linux'/);
    expect(api).toMatch(/type:\s*'UserAssignedIdentity'/);
    expect(api).toMatch(/alwaysReady:\s*\[\s*\]/);
  });

  it('authorises Key Vault with RBAC, with soft delete and purge protection', () => {
    const vault = moduleBlock(main, 'br/public:avm/res/key-vault/vault');
    expect(vault).toMatch(/enableRbacAuthorization:\s*true/);
    expect(vault).toMatch(/enableSoftDelete:\s*true/);
    expect(vault).toMatch(/enablePurgeProtection:\s*true/);
  });

  it('locks the storage account to Entra auth, TLS 1.2 and no public blobs', () => {
    expect(storage).toMatch(/allowSharedKeyAccess:\s*false/);
    expect(storage).toMatch(/minimumTlsVersion:\s*'TLS1_2'/);
    expect(storage).toMatch(/allowBlobPublicAccess:\s*false/);
  });

  it('ingests telemetry with Entra auth only', () => {
    expect(moduleBlock(main, 'br/public:avm/res/insights/component')).toMatch(/disableLocalAuth:\s*true/);
    expect(api).toMatch(
      /APPLICATIONINSIGHTS_AUTHENTICATION_STRING:\s*'ClientId=\$\{identityClientId\};Authorization=AAD'/,
    );
  });
});

describe('storage contents', () => {
  const listParam = (name: string): string[] => {
    const list = blockAfter(storage, new RegExp(`param\\s+${name}\\s+array\\s*=\\s*\\[`));
    return [...list.matchAll(/'([^']+)'/g)].map((m) => m[1] ?? '');
  };

  it('pre-creates every table the app uses', () => {
    expect(listParam('tableNames')).toEqual(expect.arrayContaining([...TABLE_NAMES]));
  });

  it('creates the graph-sync queue and the deployment container', () => {
    expect(listParam('queueNames')).toContain('graph-sync');
    expect(storage).toMatch(/name:\s*deploymentContainerName/);
  });
});

describe('no secrets in infra/', () => {
  // Literal credentials, or Bicep that would build a key-bearing connection string.
  const forbidden: [string, RegExp][] = [
    ['account key in a connection string', /AccountKey\s*=/i],
    ['shared access signature', /SharedAccessSignature\s*=|[?&]sig=/i],
    ['storage key lookup', /\blistKeys\s*\(/],
    ['instrumentation key literal', /InstrumentationKey\s*=\s*[0-9a-f]{8}-/i],
    ['password or secret literal', /\b(?:password|secret|clientSecret)\s*[:=]\s*'[^'$]+'/i],
    ['private key', /-----BEGIN [A-Z ]*PRIVATE KEY-----/],
    ['JWT', /\beyJ[\w-]{10,}\.[\w-]{10,}\./],
  ];
  it.each(listRepoFiles('infra'))('%s holds no credential', (file) => {
    const text = readRepoFile(file);
    for (const [what, pattern] of forbidden) expect(text, what).not.toMatch(pattern);
  });

  it('declares no secure parameter with a default value', () => {
    expect([main, api, rbac, storage].join('\n')).not.toMatch(/@secure\(\)\s*param\s+\w+\s+\w+\s*=/);
  });
});
