// What every test file that needs Temporal uses. One server per test file (vitest `forks` pool: one process per
// file). The helpers live in platform/ because the scenario replay (`npm run scenario`) uses them too.
export {
  bundleComplaintWorkflows,
  installQuietRuntime,
  startDevServer,
  startTimeSkippingServer,
} from '../../devtools/temporal/test-servers';
