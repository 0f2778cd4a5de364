import { defineConfig } from 'vitest/config';

// The Temporal SDK's native bridge crashes under worker threads: every test file runs in its own forked process.
// Each file starts its own Temporal server(s) through tests/support/temporal.ts (ports chosen by the SDK).
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
