// azure.yaml as text (no YAML parser is a dependency): the one function service, its build, and the next-steps hook.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRepoFile, repoRoot, stripBicepComments } from './bicep-text.js';

const yaml = readRepoFile('azure.yaml')
  .split('\n')
  .filter((line) => !/^\s*#/.test(line))
  .join('\n');

/** `key: value` lines indented exactly `indent` spaces under the block that starts at `header`. */
function mapping(header: RegExp, indent: number): Map<string, string> {
  const start = header.exec(yaml);
  if (start === null) throw new Error(`azure.yaml has no ${String(header)}`);
  const entries = new Map<string, string>();
  for (const line of yaml.slice(start.index + start[0].length).split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const lineIndent = line.length - line.trimStart().length;
    if (lineIndent < indent) break;
    const entry = lineIndent === indent ? /^\s*([\w-]+):\s*(.*)$/.exec(line) : null;
    if (entry?.[1] !== undefined) entries.set(entry[1], entry[2] ?? '');
  }
  return entries;
}

describe('azure.yaml', () => {
  const services = mapping(/^services:/m, 2);

  it('has one service, a TypeScript function app built from the repository root', () => {
    expect([...services.keys()]).toEqual(['api']);
    const api = mapping(/^ {2}api:/m, 4);
    expect(api.get('host')).toBe('function');
    expect(api.get('language')).toBe('ts');
    expect(api.get('project')).toBe('.');
  });

  it('names the service as the Function App is tagged, so azd finds it', () => {
    const api = stripBicepComments(readRepoFile('infra/app/api.bicep'));
    expect(api).toMatch(/param\s+serviceName\s+string\s*=\s*'api'/);
    expect(api).toMatch(/'azd-service-name':\s*serviceName/);
  });

  it('deploys the locally built package folder that `npm run package` writes, without a remote build', () => {
    const api = mapping(/^ {2}api:/m, 4);
    expect(api.get('dist')).toBe('dist/package/app');
    expect(api.get('remoteBuild')).toBe('false');
    const prepackage = mapping(/^ {6}prepackage:/m, 8);
    expect([...prepackage.keys()]).toEqual(['posix', 'windows']);
    const packageRuns = [...yaml.matchAll(/^ {10}run:\s*(.+)$/gm)].map((m) => m[1]);
    expect(packageRuns).toEqual(['npm run package', 'npm run package']);
    const pkg = JSON.parse(readRepoFile('package.json')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('dist/functions/*.js');
    expect(pkg.scripts.package).toMatch(/dist\/local\/package-cli\.js/);
    // azd refuses `remoteBuild: false` while .funcignore excludes node_modules (the package carries its own).
    const ignored = readRepoFile('.funcignore').split('\n').map((line) => line.trim());
    expect(ignored.filter((line) => /^\/?node_modules\/?$/.test(line))).toEqual([]);
  });

  it('runs the preprovision and postdeploy hooks, each for both shells, and the files exist', () => {
    const scripts = [...yaml.matchAll(/^ {6}run:\s*(\S+)/gm)].map((m) => m[1] ?? '');
    expect(scripts).toEqual([
      './infra/hooks/preprovision.sh',
      './infra/hooks/preprovision.ps1',
      './infra/hooks/postdeploy.sh',
      './infra/hooks/postdeploy.ps1',
    ]);
    for (const script of scripts) expect(existsSync(join(repoRoot, script))).toBe(true);
  });
});

describe('infra/hooks/postdeploy.sh', () => {
  it('prints the Tenant URL base and the next steps from azd values, and no key', () => {
    const result = spawnSync('sh', [join(repoRoot, 'infra/hooks/postdeploy.sh')], {
      encoding: 'utf8',
      env: {
        PATH: '/usr/bin:/bin', // no azd: the values come from the environment, as azd passes them to hooks
        FUNCTION_APP_URL: 'https://func-scim-abc.azurewebsites.net',
        SCIM_TENANT_URL_BASE: 'https://func-scim-abc.azurewebsites.net/api/scim',
        AZURE_FUNCTION_APP_NAME: 'func-scim-abc',
        AZURE_RESOURCE_GROUP: 'rg-dev',
        AZURE_KEY_VAULT_NAME: 'kv-abc',
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
      },
    });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Tenant URL base:   https://func-scim-abc.azurewebsites.net/api/scim');
    expect(result.stdout).toContain('az functionapp keys list --name func-scim-abc --resource-group rg-dev');
    expect(result.stdout).toMatch(/Secret Token/);
    expect(result.stdout).not.toMatch(/InstrumentationKey|00000000-0000/);
  });
});
