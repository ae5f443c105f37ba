// Type-checked lint in the spirit of Azure/azure-functions-nodejs-library: eqeqeq, return-await, sorted imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * One no-restricted-imports block per folder: `functions/` and `local/` for all of shared/, plus its own `forbidden`,
 * each a folder name or `{ folder, except }` (subfolders of it that may be imported, e.g. the directory's model/).
 */
function importBoundaries(blocks) {
  const patternFor = (forbidden) => {
    const { folder, except = [] } = typeof forbidden === 'string' ? { folder: forbidden } : forbidden;
    const allowed = except.length === 0 ? '' : `(?!(${except.join('|')})/)`;
    const but = except.length === 0 ? '' : ` (only ${except.map((name) => `${folder}/${name}/`).join(', ')})`;
    return { regex: `(^|/)${folder}/${allowed}`, message: `this folder must not import ${folder}/${but}: the arrows of ../shared/architecture.md run the other way` };
  };
  return blocks.map(({ files, forbidden }) => ({
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: ['functions', 'local', ...forbidden].map(patternFor) }] },
  }));
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
      'sort-imports': ['error', { ignoreDeclarationSort: true, ignoreCase: true }],
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    // Tests read JSON answers loosely; the product code keeps the strict rules.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  // The arrows of ../shared/architecture.md: the product never imports the Functions registrations or the local host;
  // the SCIM protocol is a pure leaf (no storage, no domain, no SCIM service); the directory is protocol-neutral and
  // knows none of its callers; storage knows no SCIM and of the directory only the records and store interfaces it
  // implements (directory/model/); the Graph sync and its run machinery (sync-runs/) know no SCIM, and neither the
  // directory nor storage knows the run machinery.
  ...importBoundaries([
    { files: ['shared/**/*.ts'], forbidden: [] },
    { files: ['shared/scim/**/*.ts'], forbidden: ['storage', 'scim-api', 'directory'] },
    { files: ['shared/directory/**/*.ts'], forbidden: ['scim', 'scim-api', 'admin-api', 'graph', 'sync-runs'] },
    { files: ['shared/storage/**/*.ts'], forbidden: ['scim', 'scim-api', 'admin-api', 'graph', 'sync-runs', { folder: 'directory', except: ['model'] }] },
    { files: ['shared/graph/**/*.ts'], forbidden: ['scim', 'scim-api'] },
    { files: ['shared/sync-runs/**/*.ts'], forbidden: ['scim', 'scim-api'] },
  ]),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
