// A copy of today's workflows/ with one deliberate edit to complaint-run.ts (or another workflow file), bundled and
// replayed against recorded histories: how a test shows that the replay guard catches a change
// (tests/audit/nondeterminism.test.ts, tests/audit/replay-improvement-actions.test.ts) or that a rule's absence shows
// in a history (tests/workflows/timer-fired-clock.test.ts). An unaltered copy, bundled the same way, is the control.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import type { ComplaintHistory } from '../../audit/histories';
import { replayComplaintHistories, type ReplayOutcome } from '../../audit/replay';
import type { PayloadKeyRing } from '../../platform/payload-keys';
import { repoRoot } from '../../platform/repo-root';

const root = repoRoot();

/** Copies workflows/ to `dir`, imports pointing back at the real modules, applying `edit` to `editedFile`. */
export function copyWorkflows(dir: string, edit: (source: string) => string, editedFile = 'complaint-run.ts'): string {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(path.join(root, 'workflows')).filter((name) => name.endsWith('.ts'))) {
    let source = readFileSync(path.join(root, 'workflows', file), 'utf8')
      .replace(/from '\.\.\//g, `from '${root}/`)
      .replace(
        /from '\.\/(?!complaint'|complaint-run'|messages'|search-attributes'|start-options'|improvement-action')/g,
        `from '${root}/workflows/`,
      );
    if (file === editedFile) source = edit(source);
    writeFileSync(path.join(dir, file), source);
  }
  return path.join(dir, 'index.ts');
}

/** `source` with `original` replaced by `altered`; throws, naming the test to update, when `original` is gone. */
export function editSource(
  source: string,
  original: string,
  altered: string,
  testFile: string,
  editedFile = 'complaint-run.ts',
): string {
  if (!source.includes(original)) {
    throw new Error(`workflows/${editedFile} no longer has the lines ${testFile} edits: update it to a similar change`);
  }
  return source.replace(original, altered);
}

/** Bundles the copy at `workflowsPath` and replays the histories against it (encrypted ones: give their keys). */
export async function replayAgainstCopy(
  histories: ComplaintHistory[],
  workflowsPath: string,
  payloadKeys?: PayloadKeyRing,
): Promise<ReplayOutcome[]> {
  const workflowBundle = await bundleCopy(workflowsPath);
  const outcomes: ReplayOutcome[] = [];
  for await (const outcome of replayComplaintHistories(histories, {
    workflowBundle,
    ...(payloadKeys ? { payloadKeys } : {}),
  }))
    outcomes.push(outcome);
  return outcomes;
}

/** Bundles the copy at `workflowsPath` (its packages from the project's node_modules). */
export async function bundleCopy(workflowsPath: string): Promise<{ code: string }> {
  return await bundleWorkflowCode({
    workflowsPath,
    logger: {
      log() {},
      trace() {},
      debug() {},
      info() {},
      warn() {},
      error: (message: string) => console.error(message),
    },
    // The copy lives outside the project: its packages (@temporalio/workflow, zod…) come from the project's node_modules.
    webpackConfigHook: (config) => ({
      ...config,
      resolve: {
        ...config.resolve,
        modules: [...(config.resolve?.modules ?? ['node_modules']), path.join(root, 'node_modules')],
      },
    }),
  });
}
