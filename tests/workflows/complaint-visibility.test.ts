// On the dev server (a real Temporal server with the complaint search attributes registered): complaints can be
// listed and filtered from visibility, and a complaint with a long history continues as new without losing anything.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { complaintWorkflow } from '../../workflows/complaint';
import { actionUpdates, complaintStateQuery } from '../../workflows/messages';
import { complaintNextDeadlineKey, complaintStatusKey } from '../../workflows/search-attributes';
import { ComplaintHarness, manager, officer } from '../support/complaint-harness';
import { startDevServer } from '../support/temporal';
import { executeUpdateForState } from '../../platform/complaint-actions';

let env: TestWorkflowEnvironment;
let h: ComplaintHarness;

beforeAll(async () => {
  env = await startDevServer();
  h = new ComplaintHarness(env);
  await h.start();
});

afterAll(async () => {
  await h?.stop();
  await env?.teardown();
});

/** Visibility is eventually consistent: ask until the expected refs are listed (bounded, real time). */
async function listRefs(query: string, expected: string[]): Promise<string[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const refs: string[] = [];
    for await (const execution of env.client.workflow.list({ query })) refs.push(execution.workflowId);
    refs.sort();
    if (JSON.stringify(refs) === JSON.stringify([...expected].sort()) || Date.now() > deadline) return refs;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('search attributes', () => {
  it('follow the complaint: status, stage, officer, next deadline, service area, category, procedure', async () => {
    const tag = `VIS${Date.now().toString(36).toUpperCase()}`;
    const careInput = await h.input({
      ref: `${tag}-CARE`,
      details: { serviceArea: 'community-care', category: 'delay' },
    });
    const childrenInput = await h.input({
      ref: `${tag}-CHILD`,
      details: { serviceArea: 'childrens-services', category: 'communication', serious: true },
    });
    const care = await h.startComplaint(careInput, true);
    const children = await h.startComplaint(childrenInput, true);
    const mine = `WorkflowId STARTS_WITH "${tag}"`;

    expect(await listRefs(`${mine} AND ComplaintStatus = "open"`, [care.workflowId, children.workflowId])).toEqual(
      [care.workflowId, children.workflowId].sort(),
    );
    expect(await listRefs(`${mine} AND ComplaintStage = "level-2"`, [children.workflowId])).toEqual([
      children.workflowId,
    ]);
    expect(
      await listRefs(`${mine} AND ComplaintServiceArea = "community-care" AND ComplaintCategory = "delay"`, [
        care.workflowId,
      ]),
    ).toEqual([care.workflowId]);
    expect(
      await listRefs(`${mine} AND ComplaintProcedure = "dundee-swd-2011@1"`, [care.workflowId, children.workflowId]),
    ).toHaveLength(2);

    // Only a manager assigns someone else.
    await executeUpdateForState(care, actionUpdates.assign, {
      args: [{ actor: manager, officer: { id: 'officer.khan' } }],
    });
    await executeUpdateForState(care, actionUpdates.acknowledge, { args: [{ actor: officer }] });
    const decided = await executeUpdateForState(care, actionUpdates['record-outcome'], {
      args: [{ actor: officer, outcome: 'upheld' }],
    });
    expect(await listRefs(`${mine} AND ComplaintCaseOfficer = "officer.khan"`, [care.workflowId])).toEqual([
      care.workflowId,
    ]);
    expect(await listRefs(`${mine} AND ComplaintStatus = "awaiting-escalation"`, [care.workflowId])).toEqual([
      care.workflowId,
    ]);

    // The next deadline of the decided complaint is the end of its escalation window: 28 days away.
    const windowEnd = decided.stages[0]!.escalationWindowEndsAt!;
    const description = await care.describe();
    const nextDeadline = description.typedSearchAttributes.get(complaintNextDeadlineKey);
    expect(nextDeadline?.toISOString()).toBe(windowEnd);
    const beforeWindow = new Date(Date.parse(windowEnd) - 1).toISOString();
    expect(await listRefs(`${mine} AND ComplaintNextDeadline <= "${beforeWindow}"`, [children.workflowId])).toEqual([
      children.workflowId,
    ]);
    expect(await listRefs(`${mine} AND ComplaintOverdue = false`, [care.workflowId, children.workflowId])).toHaveLength(
      2,
    );
  });
});

describe('long histories', () => {
  it('continue as new carrying the whole complaint; timers, search attributes and the register carry on', async () => {
    const input = { ...(await h.input()), continueAsNewAfterEvents: 40 };
    const handle = await h.startComplaint(input, true);
    const firstRunId = (await handle.describe()).runId;
    for (let i = 1; i <= 15; i++) {
      await executeUpdateForState(handle, actionUpdates['add-note'], { args: [{ actor: officer, text: `Note ${i}` }] });
    }
    // Each run starts afresh; wait until the workflow has moved to a new run.
    const deadline = Date.now() + 10_000;
    while ((await env.client.workflow.getHandle(input.ref).describe()).runId === firstRunId && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const current = env.client.workflow.getHandle<typeof complaintWorkflow>(input.ref);
    const description = await current.describe();
    expect(description.runId).not.toBe(firstRunId);
    expect(description.status.name).toBe('RUNNING');
    const state = await current.query(complaintStateQuery);
    expect(state.timeline.filter((e) => e.type === 'note-added').map((e) => (e as { text: string }).text)).toEqual(
      Array.from({ length: 15 }, (_, i) => `Note ${i + 1}`),
    );
    expect(state.stages[0]!.acknowledgement?.dueAt).toBe(
      new Date(Date.parse(input.receivedAt) + 5 * 24 * 3600 * 1000).toISOString(),
    );
    expect(description.typedSearchAttributes.get(complaintStatusKey)).toBe('open');

    // The new run still takes actions, and the register has every entry exactly once.
    await executeUpdateForState(current, actionUpdates.acknowledge, { args: [{ actor: officer }] });
    const withdrawn = await executeUpdateForState(current, actionUpdates.withdraw, { args: [{ actor: officer }] });
    const final = await current.result();
    expect(final.status).toBe('withdrawn');
    expect(final.timeline).toEqual(withdrawn.timeline);
    expect((h.recorded.entries.get(input.ref) ?? []).map((e) => e.seq)).toEqual(final.timeline.map((e) => e.seq));
  });
});
