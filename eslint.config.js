// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const internalsMessage =
  'Import @pm packages through their public entry ("@pm/<pkg>" or a declared subpath), never their src/ or dist/ files: ' +
  'adapters and examples are thin wiring, and internals may change without notice.';

// The orchestrator's folders import downwards only: config <- supervisor <- session <- daemon / cli (see ARCHITECTURE.md).
// One block per lower folder, naming the folders it must not reach; the public-entry patterns are repeated because a
// later `no-restricted-imports` replaces the earlier one for the files it matches.
function orchestratorLayers() {
  const above = {
    config: ['supervisor', 'session', 'daemon', 'cli', 'export', 'startup'],
    supervisor: ['session', 'daemon', 'cli', 'export', 'startup'],
    // daemon/ is not listed yet: session/ still takes daemon/paths.ts and daemon/atomic-write.ts, which belong lower.
    session: ['cli', 'export', 'startup'],
  };
  return Object.entries(above).map(([folder, forbidden]) => ({
    files: [`packages/orchestrator/src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@pm/*/src', '@pm/*/src/**', '@pm/*/dist', '@pm/*/dist/**'], message: internalsMessage },
            { group: ['**/packages/*/src/**', '../../packages/**', '../../../packages/**'], message: internalsMessage },
            {
              regex: `^(\\.\\./)+(${forbidden.join('|')})/`,
              message: `${folder}/ sits below ${forbidden.join(', ')} in the orchestrator's layers (ARCHITECTURE.md): move the shared piece down instead.`,
            },
          ],
        },
      ],
    },
  }));
}

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      'packages/create-app/templates/**',
      '**/.turbo/**',
      '**/coverage/**',
      '**/.pm/**',
      'docs/.site/**',
      'docs/.vitepress/cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Every package, adapter and example reaches other packages only through their exports map.
    files: ['packages/**/*.{ts,js,mjs,cjs}', 'examples/**/*.{ts,js,mjs,cjs}', 'bench/**/*.{ts,js,mjs,cjs}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@pm/*/src', '@pm/*/src/**', '@pm/*/dist', '@pm/*/dist/**'], message: internalsMessage },
            { group: ['**/packages/*/src/**', '../../packages/**', '../../../packages/**'], message: internalsMessage },
          ],
        },
      ],
    },
  },
  ...orchestratorLayers(),
  {
    // Examples' tests reach the private test helpers by path, so a copied template's package.json names nothing unpublished.
    files: ['examples/*/test/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@pm/*/src', '@pm/*/src/**', '@pm/*/dist', '@pm/*/dist/**'], message: internalsMessage },
            { regex: '^(\\.\\./)+packages/(?!test-utils/)', message: internalsMessage },
          ],
        },
      ],
    },
  },
  {
    // CommonJS examples: plain `require()` JavaScript, as a CommonJS user writes it.
    files: ['examples/express-cjs/**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
