import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Module boundaries (see shared STYLE and README "Layout"): apps import libs, libs never import
// apps, contracts import nothing of ours, domain libs stay pure, the test harness only in tests.
export default [
  { ignores: ['**/dist', '**/node_modules', '**/.data', '**/.nx', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [{ group: ['../../*'], message: 'import other projects through their @bpo/* alias' }] }],
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts'] },
            { sourceTag: 'type:kit', onlyDependOnLibsWithTags: ['type:contracts'] },
            { sourceTag: 'type:data', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:kit'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:kit', 'type:data'] },
            { sourceTag: 'type:feature', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:kit', 'type:data', 'type:infra'] },
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:kit', 'type:data', 'type:infra', 'type:feature', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', 'type:kit', 'type:data', 'type:infra'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:app', 'type:testing', 'type:contracts', 'type:domain', 'type:kit', 'type:data', 'type:infra', 'type:feature'] },
          ],
        },
      ],
    },
  },
  {
    // The test harness is for tests only.
    files: ['**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.int-spec.ts', 'libs/testing/**', 'e2e/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: '@bpo/testing', message: '@bpo/testing may only be imported by *.spec.ts / *.int-spec.ts' }],
          patterns: [{ group: ['../../*'], message: 'import other projects through their @bpo/* alias' }],
        },
      ],
    },
  },
  {
    // End-to-end tests drive the apps themselves, by path.
    files: ['e2e/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
];
