// The reconciliation (issue 18) on the dev server, with the real worker writing the register: a divergence made by
// hand (an orphan entry written into the register, a real one deleted, one changed) is reported entry by entry, and
// the repair makes the register equal to the workflow's timeline; a withdrawn complaint is read from its result.
// The command itself (npm run reconcile) runs once against the same server and register.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerSnapshot } from '../../activities/contract';
import type { ComplaintState, TimelineEntry } from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { repoRoot } from '../../platform/repo-root';
import { type Register } from '../../register';
import { reconcile } from '../../register/reconcile';
import { actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { waitForRegister } from '../../devtools/scenario-replay/register-sync';
import { type ComplaintHarness, officer } from '../support/complaint-harness';
import { startRegisterStack, type RegisterStack } from '../support/register-stack';

let stack: RegisterStack;
let env: TestWorkflowEnvironment;
let h: ComplaintHarness;
let register: Register;
let dataDir: string;

beforeAll(async () => {
  stack = await startRegisterStack('reconcile-test');
  ({ env, h, register, dataDir } = stack);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

async function openComplaintWithNotes(notes: number): Promise<string> {
  const input = await h.input();
  const handle = await h.startComplaint(input, true);
  for (let i = 1; i <= notes; i++)
    await handle.executeUpdate(actionUpdates['add-note'], { args: [{ actor: officer, text: `Note ${i}` }] });
  await waitForRegister(env.client, register, [input.ref]);
  return input.ref;
}

const rawStore = () => stack.rawStore();

/** Writes straight into the register's tables, as a lost workflow task or a bug would have left them. */
async function diverge(ref: string, timeline: readonly TimelineEntry[]): Promise<void> {
  const last = timeline[timeline.length - 1]!;
  const orphan = { ...last, seq: last.seq + 1, type: 'note-added', text: 'never happened' } as TimelineEntry;
  const changed = { ...timeline[2]!, at: new Date(Date.parse(timeline[2]!.at) - 13_000).toISOString() };
  await rawStore().query(
    `INSERT INTO complaint_entries (ref, seq, at, type, actor_id, entry) VALUES ($1, $2, $3, $4, $5, $6::jsonb)`,
    [ref, orphan.seq, orphan.at, orphan.type, orphan.actor.id, JSON.stringify(orphan)],
  );
  await rawStore().query('DELETE FROM complaint_entries WHERE ref = $1 AND seq = 2', [ref]);
  await rawStore().query('UPDATE complaint_entries SET at = $3, entry = $4::jsonb WHERE ref = $1 AND seq = $2', [
    ref,
    changed.seq,
    changed.at,
    JSON.stringify(changed),
  ]);
}

describe('npm run reconcile', () => {
  it('reports an orphan entry, a missing one and a changed time, and the repair makes the register equal Temporal', async () => {
    const ref = await openComplaintWithNotes(3);
    const state: ComplaintState = await env.client.workflow.getHandle(ref).query(complaintStateQuery);
    expect(plain(await register.timeline(ref))).toEqual(plain(state.timeline));
    expect((await reconcile(env.client, register, { refs: [ref] })).differences).toEqual([]);
    // Each entry says which write put it there: the workflow run, the local activity, its attempt.
    const provenance = (await rawStore().query('SELECT written_by FROM complaint_entries WHERE ref = $1', [
      ref,
    ])) as Array<{ written_by: string }>;
    const runId = (await env.client.workflow.getHandle(ref).describe()).runId;
    expect(provenance).toHaveLength(state.timeline.length);
    for (const row of provenance) expect(row.written_by).toMatch(new RegExp(`^${runId}/local-\\d+#1$`));

    await diverge(ref, state.timeline);
    const found = await reconcile(env.client, register, { open: true });
    const mine = found.differences.filter((d) => d.ref === ref);
    expect(mine.map((d) => [d.kind, d.seq])).toEqual([
      ['missing', 2],
      ['different', 3],
      ['extra', state.timeline.length + 1],
    ]);
    expect(mine[1]?.detail).toMatch(/^time: /);
    expect(found.repaired).toEqual([]);

    const repaired = await reconcile(env.client, register, { refs: [ref] }, { repair: true });
    expect(repaired.repaired).toEqual([ref]);
    expect(plain(await register.timeline(ref))).toEqual(plain(state.timeline));
    expect((await register.complaint(ref))?.lastSeq).toBe(state.timeline.length);
    expect((await reconcile(env.client, register, { refs: [ref] })).differences).toEqual([]);

    // After the repair the workflow's own writes still land (they begin later than the repair).
    await env.client.workflow
      .getHandle(ref)
      .executeUpdate(actionUpdates['add-note'], { args: [{ actor: officer, text: 'after the repair' }] });
    await waitForRegister(env.client, register, [ref]);
    expect((await reconcile(env.client, register, { refs: [ref] })).differences).toEqual([]);
  }, 60_000);

  it('reads a completed complaint from its result, and a register row Temporal never had is reported, not repaired', async () => {
    const ref = await openComplaintWithNotes(1);
    const handle = env.client.workflow.getHandle(ref);
    await handle.executeUpdate(actionUpdates.withdraw, { args: [{ actor: officer }] });
    const final = (await handle.result()) as ComplaintState;
    await waitForRegister(env.client, register, [ref]).catch(() => undefined); // closed: the query may not answer
    await rawStore().query('DELETE FROM complaint_entries WHERE ref = $1 AND seq > 1', [ref]);
    const ghost = (await register.timeline(ref)).map((entry) => ({ ...entry, ref: 'GHOST-1' }));
    const snapshot = { ...registerSnapshot(final, getProcedure(final.procedure)), ref: 'GHOST-1', lastSeq: 1 };
    await register.record({ ref: 'GHOST-1', entries: ghost, snapshot });

    const report = await reconcile(env.client, register, { refs: [ref, 'GHOST-1'] }, { repair: true });
    expect(report.differences.find((d) => d.ref === 'GHOST-1')?.kind).toBe('not-in-temporal');
    expect(report.repaired).toEqual([ref]);
    expect(plain(await register.timeline(ref))).toEqual(plain(final.timeline));
    expect((await register.complaint(ref))?.status).toBe('withdrawn');
    expect((await register.timeline('GHOST-1')).length).toBe(1);
  }, 60_000);

  it('selects the complaints received in a period by the register, and those started then by Temporal', async () => {
    const ref = await openComplaintWithNotes(0);
    const received = Date.parse((await register.complaint(ref))!.receivedAt);
    const around = (fromMs: number, toMs: number) => ({
      from: new Date(fromMs).toISOString(),
      to: new Date(toMs).toISOString(),
    });
    const checked = async (selection: { from: string; to: string }) => {
      const refs: string[] = [];
      await reconcile(env.client, register, selection, { onChecked: (r) => refs.push(r) });
      return refs;
    };
    expect(await checked(around(received - 60_000, received + 60_000))).toContain(ref);
    expect(await checked(around(received + 3_600_000, received + 7_200_000))).not.toContain(ref);
    // Gone from the register entirely: Temporal's start time still selects it, and it is reported missing.
    await rawStore().query('DELETE FROM complaint_entries WHERE ref = $1', [ref]);
    await rawStore().query('DELETE FROM complaints WHERE ref = $1', [ref]);
    const report = await reconcile(env.client, register, around(received - 60_000, received + 60_000));
    expect(report.differences.filter((d) => d.ref === ref).map((d) => d.kind)).toEqual(['missing', 'snapshot-behind']);
  }, 60_000);

  it('runs as a command: reports, repairs and exits 0 once the register equals Temporal', async () => {
    const ref = await openComplaintWithNotes(2);
    const state: ComplaintState = await env.client.workflow.getHandle(ref).query(complaintStateQuery);
    await diverge(ref, state.timeline);
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', path.join(repoRoot(), 'scripts', 'reconcile.ts'), ...args],
        {
          cwd: repoRoot(),
          env: { ...process.env, DATA_DIR: dataDir, TEMPORAL_ADDRESS: env.address, DATABASE_URL: '' },
        },
      ).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (err: { code: number; stdout: string; stderr: string }) => ({
          code: err.code,
          stdout: err.stdout + err.stderr,
        }),
      );
    const reported = await run('--ref', ref);
    expect(reported.code).toBe(3);
    // The command's result is kept for /metrics (counts only), as the Schedule's is.
    expect(await register.lastReconciliation()).toMatchObject({
      by: 'command',
      checked: 1,
      repaired: 0,
      byKind: { missing: 1, extra: 1, different: 1, 'not-in-temporal': 0 },
    });
    expect(reported.stdout).toContain(`${ref} missing #2`);
    expect(reported.stdout).toContain(`${ref} extra #${state.timeline.length + 1}`);
    const repaired = await run('--ref', ref, '--repair');
    expect(repaired.stdout).toContain('1 repaired');
    expect(repaired.code).toBe(0);
    expect(plain(await register.timeline(ref))).toEqual(plain(state.timeline));
  }, 90_000);
});
