// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// Node built-ins (and the I/O libraries) that must never reach domain/ or workflows/: domain/ is bundled into
// workflow code, and workflow code runs in Temporal's deterministic sandbox, where a Node module crash-loops the
// worker at start and `tsc` does not notice (docs/TEAM-NOTES.md).
const nodeBuiltins = [
  'assert',
  'async_hooks',
  'buffer',
  'child_process',
  'cluster',
  'console',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'http2',
  'https',
  'module',
  'net',
  'os',
  'path',
  'perf_hooks',
  'process',
  'readline',
  'stream',
  'timers',
  'tls',
  'tty',
  'url',
  'util',
  'v8',
  'vm',
  'worker_threads',
  'zlib',
];
const io = [
  'pg',
  '@electric-sql/pglite',
  'nodemailer',
  'fastify',
  'yaml',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
];
// The product never depends on its development tooling (devtools/: test servers, binary installer, history
// recorder, scenario replay) nor on tests/: those are not in the production image, and neither is
// @temporalio/testing (a dev dependency).
export const shippedFolders = [
  'domain',
  'workflows',
  'activities',
  'api',
  'worker',
  'platform',
  'register',
  'report',
  'notifications',
  'documents',
  'audit',
  'config',
];
const toolingMessage = 'Shipped code must not import the development tooling (devtools/) or tests/.';
const toolingRestrictions = {
  paths: [{ name: '@temporalio/testing', message: 'A dev dependency: not installed in the production image.' }],
  patterns: [
    { group: ['**/devtools', '**/devtools/**', '**/tests', '**/tests/**'], message: toolingMessage },
    { group: ['@temporalio/*/lib/*'], message: 'Use the package entry points, not the SDK internals.' },
  ],
};
const pureCodeRestrictions = {
  paths: [...nodeBuiltins.flatMap((name) => [name, `node:${name}`]), ...io].map((name) => ({
    name,
    message: 'domain/ and workflows/ are pure: no Node built-ins or I/O (they run inside the workflow sandbox).',
    allowTypeImports: true,
  })),
  patterns: [
    { group: ['node:*'], message: 'domain/ and workflows/ are pure: no Node built-ins.' },
    ...toolingRestrictions.patterns,
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/', '.tools/', '.data/', 'dist/', 'coverage/', 'bench/results/', 'tests/histories/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@temporalio/*/lib/*'], message: 'Use the package entry points, not the SDK internals.' },
          ],
        },
      ],
    },
  },
  {
    // Before the pure-code block: for domain/ and workflows/ that block (which includes these patterns) wins.
    files: shippedFolders.map((folder) => `${folder}/**/*.ts`),
    rules: { 'no-restricted-imports': ['error', toolingRestrictions] },
  },
  {
    files: ['domain/**/*.ts', 'workflows/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', pureCodeRestrictions] },
  },
  {
    // The house rule: a function reads in a minute.
    files: ['domain/**/*.ts', 'workflows/**/*.ts', 'api/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  prettier,
);
