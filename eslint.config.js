// Type-checked lint in the spirit of Azure/azure-functions-nodejs-library: eqeqeq, return-await, sorted imports.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** One no-restricted-imports block per folder: `functions/` and `local/` for all of shared/, plus its own `forbidden`. */
function importBoundaries(blocks) {
  const patternFor = (folder) => ({ group: [`**/${folder}/*`, `**/${folder}/**`], message: `this folder must not import ${folder}/: the arrows of ../shared/architecture.md run the other way` });
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
  // the SCIM protocol knows no storage and storage knows no SCIM; the Graph sync knows no SCIM.
  ...importBoundaries([
    { files: ['shared/**/*.ts'], forbidden: [] },
    { files: ['shared/scim/**/*.ts'], forbidden: ['storage', 'scim-api'] },
    { files: ['shared/storage/**/*.ts'], forbidden: ['scim', 'scim-api', 'directory'] },
    { files: ['shared/graph/**/*.ts'], forbidden: ['scim', 'scim-api'] },
  ]),
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
