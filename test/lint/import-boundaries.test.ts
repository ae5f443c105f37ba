// The import arrows of ../shared/architecture.md, enforced by the lint rule in eslint.config.js: each forbidden
// import is linted as if it stood in the folder it must not stand in, and must be refused; an allowed one passes.
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { describe, expect, it } from 'vitest';

// The project's own blocks that set the rule, on the TypeScript parser without type information (the probes are not
// files of the project, so the type-checked setup cannot parse them).
const projectConfig = ((await import(`${process.cwd()}/eslint.config.js`)) as { default: Linter.Config[] }).default;
const boundaries = projectConfig.filter((block) => block.rules?.['no-restricted-imports'] !== undefined);
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...boundaries],
});

async function restrictedImports(filePath: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import * as target from '${specifier}';\nexport const used = target;\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import boundaries', () => {
  it.each([
    ['shared/scim/filter/probe.ts', '../../storage/keys.js'],
    ['shared/scim/probe.ts', '../scim-api/scim-http.js'],
    ['shared/storage/probe.ts', '../scim/errors.js'],
    ['shared/storage/probe.ts', '../directory/user-view.js'],
    ['shared/directory/probe.ts', '../../functions/scim-users.js'],
    ['shared/probe.ts', '../local/http-host.js'],
    ['shared/graph/probe.ts', '../scim/errors.js'],
  ])('%s may not import %s', async (filePath, specifier) => {
    expect(await restrictedImports(filePath, specifier)).toHaveLength(1);
  });

  it('allows the arrows that run downwards', async () => {
    expect(await restrictedImports('shared/directory/probe.ts', '../storage/keys.js')).toEqual([]);
    expect(await restrictedImports('shared/scim-api/probe.ts', '../scim/errors.js')).toEqual([]);
  });
});
