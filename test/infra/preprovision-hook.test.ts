// infra/hooks/preprovision.sh against a stand-in `az` on PATH that answers `provider show` from a table and records
// every call: the hook registers exactly the providers that are not registered, and without `az` prints the commands.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readRepoFile, repoRoot } from './bicep-text.js';

const HOOK = join(repoRoot, 'infra/hooks/preprovision.sh');
const REQUIRED = [
  'Microsoft.App',
  'Microsoft.Web',
  'Microsoft.Storage',
  'Microsoft.KeyVault',
  'Microsoft.ManagedIdentity',
  'Microsoft.OperationalInsights',
  'Microsoft.Insights',
];

/** A folder holding an `az` script: `provider show` answers NotRegistered for `unregistered`, exit 1 when `signedOut`. */
function fakeAz(unregistered: string[], signedOut = false): { bin: string; calls: () => string[] } {
  const bin = mkdtempSync(join(tmpdir(), 'fake-az-'));
  const log = join(bin, 'calls.log');
  writeFileSync(
    join(bin, 'az'),
    `#!/bin/sh
echo "$*" >> "${log}"
${signedOut ? 'exit 1' : ''}
if [ "$1 $2" = "provider show" ]; then
  case " ${unregistered.join(' ')} " in *" $4 "*) echo NotRegistered ;; *) echo Registered ;; esac
fi
`,
  );
  chmodSync(join(bin, 'az'), 0o755);
  writeFileSync(log, '');
  return { bin, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

function runHook(pathPrefix: string) {
  return spawnSync('sh', [HOOK], {
    encoding: 'utf8',
    env: { PATH: `${pathPrefix}/usr/bin:/bin`, AZURE_SUBSCRIPTION_ID: '00000000-0000-0000-0000-000000000001' },
  });
}

describe('infra/hooks/preprovision.sh', () => {
  it('registers only the providers that are not registered yet, Microsoft.App among them', () => {
    const az = fakeAz(['Microsoft.App', 'Microsoft.KeyVault']);
    const result = runHook(`${az.bin}:`);
    expect(result.status).toBe(0);
    const registered = az.calls().filter((call) => call.startsWith('provider register'));
    expect(registered).toEqual([
      'provider register --namespace Microsoft.App --subscription 00000000-0000-0000-0000-000000000001 --wait',
      'provider register --namespace Microsoft.KeyVault --subscription 00000000-0000-0000-0000-000000000001 --wait',
    ]);
    const shown = az.calls().filter((call) => call.startsWith('provider show')).map((call) => call.split(' ')[3]);
    expect(shown).toEqual(REQUIRED);
  });

  it('without the Azure CLI, prints the exact command for every provider and does not fail', () => {
    const result = runHook('');
    expect(result.status).toBe(0);
    for (const provider of REQUIRED) {
      expect(result.stdout).toContain(
        `az provider register --namespace ${provider} --subscription 00000000-0000-0000-0000-000000000001 --wait`,
      );
    }
  });

  it('when the CLI cannot read the subscription (signed out), prints the commands instead of registering', () => {
    const az = fakeAz([], true);
    const result = runHook(`${az.bin}:`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/az login/);
    expect(az.calls().filter((call) => call.startsWith('provider register'))).toEqual([]);
  });

  it('checks the same providers in its PowerShell twin', () => {
    const ps1 = readRepoFile('infra/hooks/preprovision.ps1');
    for (const provider of REQUIRED) expect(ps1).toContain(`'${provider}'`);
  });
});
