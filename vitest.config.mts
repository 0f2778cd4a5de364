import { defineConfig } from 'vitest/config';

// Known noise, dropped on purpose (a test's own output and every other SDK line still show with a failing test).
const knownNoise = [
  // The time-skipping test server (Java, 1.40.0) does not advertise this capability, so the SDK's core warns once
  // per worker; nothing in the tests depends on heartbeat details surviving an activity failure.
  /did not advertise the activity_failure_include_heartbeat capability/,
];

// The Temporal SDK's native bridge crashes under worker threads: every test file runs in its own forked process.
// Each file starts its own Temporal server(s) through tests/support/temporal.ts (ports chosen by the SDK).
export default defineConfig({
  test: {
    pool: 'forks',
    // Two files at a time (vitest's default on 2 cores is one): most of a file's time is spent waiting on its
    // Temporal server, so the longest file (the crash scenario, about a minute) runs beside the others.
    maxWorkers: 2,
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    globalSetup: ['tests/support/global-setup.ts'],
    // A passing run prints a line per file and the summary: console output (the SDK's log lines go through
    // console in tests, see installQuietRuntime) is shown only for the tests that fail.
    silent: 'passed-only',
    // Under its file's line, the reporter names each test slower than this; only the scenario replays take as long.
    slowTestThreshold: 30_000,
    onConsoleLog: (log) => !knownNoise.some((noise) => noise.test(log)),
  },
});
