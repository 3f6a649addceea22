// ESLint flat config: typescript-eslint's strict type-checked rules over every package, the proof
// suite and the bench, plus the hexagon's import boundaries. Formatting is Prettier's (`pnpm format`).
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

/** What a layer may not import: the boundaries of CONVENTIONS.md, enforced. */
const adapters = ['@banking/adapters-*', '**/adapters-*/src/**'];
const boundary = (patterns, message) => ({ 'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }] });

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**', 'proof/results/**', '**/*.js', '**/*.mjs'] },
  eslint.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // Numbers and booleans read well in messages; objects and undefined in a template are the bugs.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // `() => void promise` is how a callback drops a value on purpose.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidOperator: true }],
    },
  },
  {
    files: ['packages/domain/src/**/*.ts'],
    rules: boundary(['node:*', '@banking/*', 'pg', 'kysely', 'redis', 'fastify', '@fastify/*', 'tsyringe', 'reflect-metadata', 'typebox', '**/../*/src/**'], 'The domain imports nothing outside itself (no I/O, no framework, no adapter).'),
  },
  {
    files: ['packages/http-fastify/src/**/*.ts'],
    ignores: ['packages/http-fastify/src/main.ts', 'packages/http-fastify/src/container.ts'],
    rules: boundary([...adapters, 'tsyringe', 'reflect-metadata'], 'Only the composition root (main.ts, container.ts) imports adapters, tsyringe and reflect-metadata.'),
  },
  {
    files: ['packages/adapters-*/src/**/*.ts', 'packages/testing/src/**/*.ts'],
    rules: boundary(['@banking/http-fastify', 'fastify', '@fastify/*'], 'Adapters and the testing package know nothing of HTTP.'),
  },
  prettier,
);
