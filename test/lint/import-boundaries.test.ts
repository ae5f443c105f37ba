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
    // The SCIM protocol is a pure leaf.
    ['shared/scim/filter/probe.ts', '../../storage/keys.js'],
    ['shared/scim/probe.ts', '../scim-api/scim-http.js'],
    ['shared/scim/probe.ts', '../directory/errors.js'],
    // Storage knows no SCIM, and of the directory only its model.
    ['shared/storage/probe.ts', '../scim/errors.js'],
    ['shared/storage/probe.ts', '../scim-api/user-service.js'],
    ['shared/storage/probe.ts', '../directory/user-view.js'],
    ['shared/storage/probe.ts', '../directory/modelled.js'],
    // The directory is protocol-neutral and knows none of its callers.
    ['shared/directory/probe.ts', '../scim/errors.js'],
    ['shared/directory/probe.ts', '../scim-api/user-service.js'],
    ['shared/directory/model/probe.ts', '../../scim/schemas/index.js'],
    ['shared/directory/probe.ts', '../admin-api/admin-http.js'],
    ['shared/directory/probe.ts', '../graph/graph-client.js'],
    // shared/ never imports the Functions registrations or the local host.
    ['shared/directory/probe.ts', '../../functions/scim-users.js'],
    ['shared/probe.ts', '../local/http-host.js'],
    // The Graph sync knows no SCIM.
    ['shared/graph/probe.ts', '../scim/errors.js'],
    ['shared/graph/probe.ts', '../scim-api/scim-http.js'],
    // The run machinery of the sync knows no SCIM, and sits above the directory and storage.
    ['shared/sync-runs/probe.ts', '../scim/errors.js'],
    ['shared/sync-runs/probe.ts', '../scim-api/scim-http.js'],
    ['shared/directory/probe.ts', '../sync-runs/sync-runs.js'],
    ['shared/storage/probe.ts', '../sync-runs/step-messages.js'],
  ])('%s may not import %s', async (filePath, specifier) => {
    expect(await restrictedImports(filePath, specifier)).toHaveLength(1);
  });

  it('allows the arrows that run downwards', async () => {
    expect(await restrictedImports('shared/directory/probe.ts', '../storage/keys.js')).toEqual([]);
    expect(await restrictedImports('shared/scim-api/probe.ts', '../scim/errors.js')).toEqual([]);
    expect(await restrictedImports('shared/scim-api/probe.ts', '../directory/person-directory.js')).toEqual([]);
    expect(await restrictedImports('shared/storage/probe.ts', '../directory/model/person-record.js')).toEqual([]);
    expect(await restrictedImports('shared/graph/probe.ts', '../directory/person-directory.js')).toEqual([]);
    expect(await restrictedImports('shared/directory/probe.ts', './model/stores.js')).toEqual([]);
    expect(await restrictedImports('shared/sync-runs/probe.ts', '../storage/sync-run-repository.js')).toEqual([]);
  });
});
