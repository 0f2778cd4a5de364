// Throwaway Temporal servers in this process: the time-skipping test server and the CLI dev server, plus a
// once-per-process workflow bundle. Used by the tests (tests/support/temporal.ts re-exports them) and by the
// scenario replay (`npm run scenario`), which runs a whole reporting year on the time-skipping server.
// Ports are chosen by the SDK, so several can run side by side.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type ClientOptionsForTestEnv, TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { complaintSearchAttributeKeys } from '../../workflows/search-attributes';
import { installTemporalRuntime } from '../../platform/runtime';
import { temporalServerExecutable } from './binaries';
import { complaintBundleOptions, complaintWorkflowsPath } from '../../worker/workflow-options';

/**
 * The SDK Runtime, once per process, logging warnings and errors only, through `console` so that vitest shows
 * them with the failing test they belong to (and not at all when every test passes). Called by every helper below.
 */
export function installQuietRuntime(): void {
  installTemporalRuntime('warn', { throughConsole: true });
}

/**
 * The Java time-skipping test server: timers fire as soon as nothing else is pending, so a 56-day deadline takes
 * milliseconds. Waiting on an Update's result does not skip time: use `env.sleep(...)` there, or the dev server.
 */
/** `client`: the env's client options, e.g. the payload codec's data converter (its `workflow.result()` skips time). */
export async function startTimeSkippingServer(client: ClientOptionsForTestEnv = {}): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: temporalServerExecutable('testServer') },
    client,
  });
}

/** The Temporal CLI dev server (real server, in-memory SQLite unless `dbFilename`), with the complaint search attributes registered. */
export async function startDevServer(
  options: {
    namespace?: string;
    searchAttributes?: boolean;
    dbFilename?: string;
    client?: ClientOptionsForTestEnv;
  } = {},
): Promise<TestWorkflowEnvironment> {
  installQuietRuntime();
  return TestWorkflowEnvironment.createLocal({
    ...(options.client ? { client: options.client } : {}),
    server: {
      executable: temporalServerExecutable('cli'),
      ...(options.namespace ? { namespace: options.namespace } : {}),
      log: { format: 'pretty', level: 'error' },
      searchAttributes: options.searchAttributes === false ? [] : [...complaintSearchAttributeKeys],
      // In-memory database anyway; these make the dev server's SQLite faster still. `--output none`: no banner (its
      // version, ports) on the stdout this process shares with the test runner; its log lines still go to stderr.
      // `dbFilename`: a database file instead (tests that look at what the server stores).
      extraArgs: [
        ...(options.dbFilename ? ['--db-filename', options.dbFilename] : []),
        ...['--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF', '--output', 'none'],
      ],
    },
  });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();

/**
 * A bundle made once for a whole test run (tests/support/global-setup.ts writes it; every test file's process
 * reads it) instead of once per test file: the same code, without a few seconds of webpack in each of a dozen files.
 */
export const PREBUILT_BUNDLE_ENV = 'COMPLAINTS_PREBUILT_WORKFLOW_BUNDLE';

interface PrebuiltBundle extends WorkflowBundleWithSourceMap {
  workflowsPath: string;
}

/** Bundles the product's workflows into `file`, for bundleComplaintWorkflows in other processes (PREBUILT_BUNDLE_ENV). */
export async function writePrebuiltWorkflowBundle(file: string): Promise<void> {
  const workflowsPath = complaintWorkflowsPath();
  const { code, sourceMap } = await bundleComplaintWorkflows(workflowsPath);
  writeFileSync(file, JSON.stringify({ workflowsPath, code, sourceMap } satisfies PrebuiltBundle));
}

function readPrebuiltBundle(workflowsPath: string): WorkflowBundleWithSourceMap | undefined {
  const file = process.env[PREBUILT_BUNDLE_ENV];
  if (!file || !existsSync(file)) return undefined;
  const prebuilt = JSON.parse(readFileSync(file, 'utf8')) as PrebuiltBundle;
  return prebuilt.workflowsPath === workflowsPath ? { code: prebuilt.code, sourceMap: prebuilt.sourceMap } : undefined;
}

/**
 * Bundles workflow code once per process (webpack + swc takes seconds); pass the result to Worker.create as
 * `workflowBundle`. Default: the product's workflows/index.ts. A failure here is also how a test notices a
 * Node built-in or I/O module creeping into workflow code.
 */
export function bundleComplaintWorkflows(
  workflowsPath: string = complaintWorkflowsPath(),
): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    const prebuilt = readPrebuiltBundle(workflowsPath);
    bundle = prebuilt
      ? Promise.resolve(prebuilt)
      : bundleWorkflowCode({ workflowsPath, ...complaintBundleOptions, logger: quietBundlerLogger });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
