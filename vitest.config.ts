import { defineConfig } from 'vitest/config';

// The Temporal SDK's native bridge crashes under worker threads: every test file runs in its own forked process.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: [],
  },
});
