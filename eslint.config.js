// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const internalsMessage =
  'Import @pm packages through their public entry ("@pm/<pkg>" or a declared subpath), never their src/ or dist/ files: ' +
  'adapters and examples are thin wiring, and internals may change without notice.';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/.turbo/**', '**/coverage/**', '**/.pm/**'] },
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
);
