// The workflow sandbox's global hooks, without the SDK's promise tracking, and the entry of each workflow thread.
//
// The SDK installs, once per thread that runs workflow code, a V8 promise hook that captures and source-maps a stack
// trace for every Promise workflow code creates (several per await), only so that the `__stack_trace` query (the
// Web UI's "Stack Trace" tab) can say where a workflow waits. That was about a quarter of the CPU of a replay here:
// the audit replayed 22 → 35 histories/s without it (bench/README.md). Our workflows wait in one place (the
// complaint's next deadline or action), which their history already shows, so the query is given up: it answers
// "Workflow stack traces are not enabled on this worker". Errors thrown in workflow code keep their stacks mapped
// to our sources (the SDK's Error.prepareStackTrace is still installed).
//
// Plain CommonJS because it is also a worker thread's entry file, loaded by path (worker/workflow-options.ts); it
// reaches into @temporalio/worker's lib/ (pinned to 1.24.x): tests/worker/workflow-thread.test.ts runs a complaint
// on threads started from here, and tests/audit/replay-histories.test.ts replays with it installed.
'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- CommonJS on purpose (see above) */
const { isMainThread } = require('node:worker_threads');
const { globalHandlers } = require('@temporalio/worker/lib/workflow/vm-shared');

/** Makes the SDK's `globalHandlers.install()` (idempotent, called by every workflow creator) a no-op that has
 *  installed only the stack-trace formatter. Does nothing where the hooks are already installed. */
function installWithoutPromiseStacks() {
  if (globalHandlers.installed) return;
  globalHandlers.overridePrepareStackTrace();
  globalHandlers.installed = true;
}

module.exports = { installWithoutPromiseStacks };

if (!isMainThread) {
  installWithoutPromiseStacks();
  require('@temporalio/worker/lib/workflow/workflow-worker-thread');
}
