// Every parameter of infra/main.bicep that an operator may need is reachable through `azd env set`: azd substitutes
// `${VARIABLE}` / `${VARIABLE=default}` in main.parameters.json from the environment's .env before provisioning
// (https://learn.microsoft.com/azure/developer/azure-developer-cli/manage-environment-variables).
import { describe, expect, it } from 'vitest';
import { readRepoFile, stripBicepComments } from './bicep-text.js';

const main = stripBicepComments(readRepoFile('infra/main.bicep'));
const parameterFile = JSON.parse(readRepoFile('infra/main.parameters.json')) as {
  parameters: Record<string, { value: unknown }>;
};

interface BicepParam {
  name: string;
  type: string;
  /** The default as written (`''`, `100`, `'1'`), or undefined when the parameter has none. */
  defaultValue: string | undefined;
}

function bicepParams(text: string): BicepParam[] {
  return [...text.matchAll(/^param\s+(\w+)\s+(\w+)(?:\s*=\s*(.+?))?\s*$/gm)].map((m) => ({
    name: m[1] ?? '',
    type: m[2] ?? '',
    defaultValue: m[3],
  }));
}

/** `${NAME}` or `${NAME=default}`: the azd variable and its default. */
function azdReference(value: unknown): { variable: string; fallback: string | undefined } | undefined {
  const m = typeof value === 'string' ? /^\$\{(\w+)(?:=([^}]*))?\}$/.exec(value) : null;
  return m ? { variable: m[1] ?? '', fallback: m[2] } : undefined;
}

/** Backticked names in the operator documentation that are parameters of main.bicep. */
function documentedParams(params: readonly BicepParam[]): string[] {
  const docs = readRepoFile('README.md') + readRepoFile('docs/deploying-to-azure.md');
  const names = new Set(params.map((p) => p.name));
  return [...new Set([...docs.matchAll(/`(\w+)`/g)].map((m) => m[1] ?? '').filter((name) => names.has(name)))];
}

describe('infra/main.parameters.json', () => {
  const params = bicepParams(main);

  it('reads the parameters of main.bicep', () => {
    expect(params.map((p) => p.name)).toEqual(
      expect.arrayContaining(['environmentName', 'location', 'keyVaultName', 'maximumInstanceCount', 'instanceMemoryMB']),
    );
  });

  it('maps every parameter without a default to an azd variable', () => {
    for (const param of params.filter((p) => p.defaultValue === undefined)) {
      expect(azdReference(parameterFile.parameters[param.name]?.value), param.name).toBeDefined();
    }
  });

  it('maps every parameter the README or docs/deploying-to-azure.md tells an operator to set', () => {
    const documented = documentedParams(params);
    expect(documented).toEqual(expect.arrayContaining(['keyVaultName', 'logAnalyticsDailyQuotaGb']));
    for (const name of documented) expect(azdReference(parameterFile.parameters[name]?.value), name).toBeDefined();
  });

  it('maps every optional parameter, with the same default as the Bicep', () => {
    for (const param of params.filter((p) => p.defaultValue !== undefined)) {
      const reference = azdReference(parameterFile.parameters[param.name]?.value);
      expect(reference, param.name).toBeDefined();
      const bicepDefault = (param.defaultValue ?? '').replace(/^'(.*)'$/, '$1');
      expect(reference?.fallback, param.name).toBe(bicepDefault);
    }
  });

  it('maps nothing main.bicep does not declare, and no variable twice', () => {
    const names = new Set(params.map((p) => p.name));
    for (const name of Object.keys(parameterFile.parameters)) expect(names.has(name), name).toBe(true);
    const variables = Object.values(parameterFile.parameters).map((p) => azdReference(p.value)?.variable);
    expect(new Set(variables).size).toBe(variables.length);
  });

  it('does not feed a name override from the output of the same name (a re-created vault would reuse the old name)', () => {
    const outputs = new Set([...main.matchAll(/^output\s+(\w+)\s/gm)].map((m) => m[1]));
    for (const [name, { value }] of Object.entries(parameterFile.parameters)) {
      if (name === 'environmentName' || name === 'location') continue;
      expect(outputs.has(azdReference(value)?.variable), name).toBe(false);
    }
  });
});

describe('Flex Consumption scale limits', () => {
  // https://learn.microsoft.com/azure/azure-functions/flex-consumption-plan#instance-sizes and #considerations
  const decorators = (text: string, name: string): string =>
    new RegExp(`((?:^@[^\\n]*\\n|^\\s*\\n)*)param\\s+${name}\\b`, 'm').exec(text)?.[1] ?? '';

  it.each(['infra/main.bicep', 'infra/app/api.bicep'])('%s bounds the instance count and memory as documented', (path) => {
    const text = stripBicepComments(readRepoFile(path));
    expect(decorators(text, 'maximumInstanceCount')).toMatch(/@minValue\(1\)\s*@maxValue\(1000\)/);
    expect(decorators(text, 'instanceMemoryMB')).toMatch(/@allowed\(\[\s*512\s*,?\s*2048\s*,?\s*4096\s*\]\)/);
  });

  it('passes both to the Function App', () => {
    expect(main).toMatch(/maximumInstanceCount:\s*maximumInstanceCount/);
    expect(main).toMatch(/instanceMemoryMB:\s*instanceMemoryMB/);
  });

  it('creates the site only after the role assignments of its identity', () => {
    const api = /module\s+api\s+'\.\/app\/api\.bicep'[\s\S]*?\n\}/.exec(main)?.[0] ?? '';
    expect(api).toMatch(/dependsOn:\s*\[\s*rbac\s*\]/);
  });
});
