// @ts-check
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'test-artifacts/', 'web/dist/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Money is BigInt fen; Number() on it silently loses precision above 2^53.
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.name='parseFloat']", message: 'Money is integer fen: never parse floats.' }],
    },
  },
  {
    // OPS-6: the run-wide log audit only sees loggers from test/support/test-log.ts.
    files: ['test/**/*.ts', 'src/**/*.test.ts', 'src/**/*.test-kit.ts'],
    ignores: ['test/support/test-log.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [{ name: 'pino', message: 'Tests log through testLogger() (test/support/test-log.ts), so the run-wide log audit reads every line.', allowTypeImports: true }] }],
    },
  },
);
