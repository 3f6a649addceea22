// ESLint flat config: typescript-eslint's strict type-checked rules over every package, the proof
// suite and the bench, plus the hexagon's import boundaries. Formatting is Prettier's (`pnpm format`).
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** What a layer may not import: the boundaries of CONVENTIONS.md, enforced. A relative path that
 * climbs into another package is caught by its folder name, as the package name is. */
const adapters = ['@banking/adapters-*', '**/adapters-*/**'];
const http = ['@banking/http-fastify', '**/http-fastify/**', 'fastify', 'fastify-*', '@fastify/*'];
const boundary = (patterns, message) => ({ 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] });

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'proof/results/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    // One program over everything, the one `pnpm typecheck` checks: the packages' own tsconfigs hold
    // only src/, and the project service cannot take tests, proof/ and benches as default-project
    // files (it refuses `**` globs and more than 8 files).
    languageOptions: { parserOptions: { project: ['./tsconfig.tap.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      // tap queues a subtest and awaits it before its parent ends: `t.test(...)` needs no await.
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: '@tapjs/test', name: 'test' }] }],
      // Numbers and booleans read well in messages; objects and undefined in a template are the bugs.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void promise` is how a callback drops a value on purpose.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidOperator: true }],
    },
  },
  {
    files: ['packages/*/test/**/*.ts', 'bench/test/**/*.ts', 'proof/**/*.ts'],
    rules: {
      // A response body is parsed JSON read loosely on purpose: tap's matchers (t.match, t.same) check its shape.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Under noUncheckedIndexedAccess `rows[0]!` in a test is an assertion: if it is wrong the test fails.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['packages/*/test/**/*.ts', 'bench/test/**/*.ts', 'proof/**/*.ts', 'packages/testing/src/contracts/**/*.ts'],
    // A tap callback ends when its promise settles (a synchronous one would need t.end()): it is async whether or not it awaits.
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    // An allow-list: any bare specifier (a Node built-in with or without `node:`, a library, a
    // workspace package) and any relative path into another package is refused.
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(?![.]{1,2}/)', message: 'The domain imports nothing outside itself (no I/O, no framework, no adapter).' },
            { group: ['**/adapters-*/src/**', '**/http-fastify/src/**', '**/testing/src/**'], message: 'The domain imports nothing outside itself (no I/O, no framework, no adapter).' },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/http-fastify/src/**/*.ts'],
    ignores: ['packages/http-fastify/src/main.ts', 'packages/http-fastify/src/container.ts'],
    rules: boundary([...adapters, 'tsyringe', 'reflect-metadata'], 'Only the composition root (main.ts, container.ts) imports adapters, tsyringe and reflect-metadata.'),
  },
  {
    files: ['packages/adapters-*/src/**/*.ts', 'packages/testing/src/**/*.ts'],
    rules: boundary(http, 'Adapters and the testing package know nothing of HTTP.'),
  },
  prettier,
);
