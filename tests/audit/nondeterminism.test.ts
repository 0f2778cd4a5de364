// The replay guard must fail when the workflow changes in a way that breaks complaints in flight. This bundles a
// copy of today's workflow with one deliberate change (notices sent after the register write instead of before:
// the same commands in another order) and replays a recorded history against it. An unaltered copy, bundled the
// same way, is the control: it must replay, so the failure is the edit's and nothing else's.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHistoryFile, type ComplaintHistory } from '../../audit/histories';
import { replayComplaintHistories, type ReplayOutcome } from '../../audit/replay';
import { repoRoot } from '../../platform/repo-root';
import { installTemporalRuntime } from '../../platform/runtime';

const root = repoRoot();
const scratch = mkdtempSync(path.join(tmpdir(), 'audit-nondeterminism-'));

const ORIGINAL = `      const notice = noticeFor(entry, this.state, this.procedure);
      if (notice) this.send(notice);
    }
    this.revision++;
    this.afterChange();`;
const REORDERED = `      const notice = noticeFor(entry, this.state, this.procedure);
      if (notice) later.push(notice);
    }
    this.revision++;
    this.afterChange();
    for (const notice of later) this.send(notice);`;

/** Copies workflows/ to `dir`, imports pointing back at the real modules, applying `edit` to complaint-run.ts. */
function copyWorkflows(dir: string, edit: (source: string) => string): string {
  mkdirSync(dir, { recursive: true });
  for (const file of readdirSync(path.join(root, 'workflows')).filter((name) => name.endsWith('.ts'))) {
    let source = readFileSync(path.join(root, 'workflows', file), 'utf8')
      .replace(/from '\.\.\//g, `from '${root}/`)
      .replace(
        /from '\.\/(?!complaint'|complaint-run'|messages'|search-attributes'|start-options')/g,
        `from '${root}/workflows/`,
      );
    if (file === 'complaint-run.ts') source = edit(source);
    writeFileSync(path.join(dir, file), source);
  }
  return path.join(dir, 'index.ts');
}

function reorderNotices(source: string): string {
  if (!source.includes(ORIGINAL)) {
    throw new Error(
      'workflows/complaint-run.ts no longer has the lines this test reorders: update ORIGINAL/REORDERED to a similar change',
    );
  }
  return source
    .replace(ORIGINAL, REORDERED)
    .replace(
      '  private record(events: readonly ComplaintEvent[], actor: Actor): void {\n',
      '  private record(events: readonly ComplaintEvent[], actor: Actor): void {\n    const later: Notice[] = [];\n',
    );
}

async function replayAll(histories: ComplaintHistory[], workflowsPath: string): Promise<ReplayOutcome[]> {
  const workflowBundle = await bundleWorkflowCode({
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
  const outcomes: ReplayOutcome[] = [];
  for await (const outcome of replayComplaintHistories(histories, { workflowBundle })) outcomes.push(outcome);
  return outcomes;
}

describe('a deliberately non-deterministic workflow change', () => {
  let histories: ComplaintHistory[];
  beforeAll(async () => {
    // Core logs each failing workflow task at WARN: expected here, so only errors are shown.
    installTemporalRuntime('error', { throughConsole: true });
    histories = [
      // Recorded before the register became a local activity: there the register write is an activity scheduled
      // next to the notices, so the reordering shows as one activity in another's place.
      await readHistoryFile(
        path.join(root, 'tests', 'histories', 'archive', 'dundee-full-ladder.before-register-local-activity.json'),
      ),
      await readHistoryFile(
        path.join(root, 'tests', 'histories', 'archive', 'dundee-withdrawn.before-register-local-activity.json'),
      ),
    ];
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('control: an unaltered copy of the workflow, bundled the same way, replays the recorded histories', async () => {
    const outcomes = await replayAll(
      histories,
      copyWorkflows(path.join(scratch, 'unaltered'), (source) => source),
    );
    expect(outcomes.map((outcome) => [outcome.workflowId, outcome.status])).toEqual([
      ['DUNDEE-FULL-LADDER', 'ok'],
      ['DUNDEE-WITHDRAWN', 'ok'],
    ]);
  });

  it('fails the replay, naming the complaint and the history event where code and history part', async () => {
    const outcomes = await replayAll(histories, copyWorkflows(path.join(scratch, 'reordered'), reorderNotices));
    for (const outcome of outcomes) console.log(outcome.message);
    expect(outcomes).toHaveLength(2);
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ ok: false, status: 'non-deterministic' });
      expect(outcome.event?.type).toBe('ActivityTaskScheduled');
      expect(outcome.message).toContain(outcome.workflowId);
      expect(outcome.message).toContain(`at event ${outcome.event?.id} ActivityTaskScheduled`);
      // The event named is where the history scheduled a notice and the altered code scheduled the register write.
      const event = histories
        .find((history) => history.workflowId === outcome.workflowId)
        ?.history.events?.find((candidate) => Number(String(candidate.eventId)) === outcome.event?.id);
      expect(event?.activityTaskScheduledEventAttributes?.activityType?.name).toBe('sendNotice');
    }
  });
});
