// A test file's own time-skipping server with the harness's worker, started before the file's tests and stopped after
// them. Apart from complaint-harness.ts because it registers vitest hooks, and the tooling imports that one.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll } from 'vitest';
import { ComplaintHarness } from './complaint-harness';
import { startTimeSkippingServer } from './temporal';

/** Call at the top of a test file; read `env` and `h` inside its tests (they exist once its beforeAll has run). */
export function useTimeSkippingHarness(): { readonly env: TestWorkflowEnvironment; readonly h: ComplaintHarness } {
  let env: TestWorkflowEnvironment | undefined;
  let h: ComplaintHarness | undefined;
  beforeAll(async () => {
    env = await startTimeSkippingServer();
    h = new ComplaintHarness(env);
    await h.start();
  });
  afterAll(async () => {
    await h?.stop();
    await env?.teardown();
  });
  return {
    get env() {
      return env!;
    },
    get h() {
      return h!;
    },
  };
}
