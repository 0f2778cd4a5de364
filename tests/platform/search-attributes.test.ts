// Registering the complaint search attributes on an external server, and the worker's start-up check.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TypedSearchAttributes } from '@temporalio/common';
import { summaryOf } from '../../api/complaint-list';
import { applyEvent, openComplaint } from '../../domain/complaint';
import { getProcedure } from '../../domain/procedures';
import { complaintStartOptions } from '../../workflows/start-options';
import {
  complaintSearchAttributeDefinitions,
  searchAttributeUpdates,
  type ComplaintSearchAttributeField,
} from '../../workflows/search-attributes';
import { complaintDetails, intakeClerk, manager } from '../support/complaint-harness';
import {
  checkSearchAttributes,
  describeSearchAttributeProblems,
  registerSearchAttributes,
} from '../../platform/search-attributes';
import { startDevServer } from '../support/temporal';

const allNames = complaintSearchAttributeDefinitions.map((a) => a.name);

describe('the one search-attribute table', () => {
  const input = {
    ref: 'SW-2026-000042',
    procedure: { id: 'dundee-swd-2011', version: 1 },
    details: complaintDetails(),
    receivedAt: '2026-03-02T09:00:00.000Z',
    holidays: [],
    actor: intakeClerk,
  };
  const procedure = getProcedure(input.procedure);
  const byName = (pairs: ReadonlyArray<{ key: { name: string }; value: unknown }>) =>
    Object.fromEntries(pairs.map((pair) => [pair.key.name, pair.value]));

  it('a complaint starts with the attributes of its first state: no case officer yet', () => {
    const start = complaintStartOptions(input, { taskQueue: 'q', indexed: true });
    expect(byName(start.typedSearchAttributes as never)).toEqual({
      ComplaintStatus: 'open',
      ComplaintStage: 'level-1',
      ComplaintServiceArea: input.details.serviceArea,
      ComplaintCategory: input.details.category,
      ComplaintProcedure: 'dundee-swd-2011@1',
      ComplaintNextDeadline: expect.any(Date),
      ComplaintReceivedAt: new Date(input.receivedAt),
      ComplaintOverdue: false,
    });
    expect(complaintStartOptions(input, { taskQueue: 'q', indexed: false }).typedSearchAttributes).toBeUndefined();
  });

  it("the workflow's upsert sets every attribute, in the table's order, null removing one", () => {
    const state = openComplaint(input, procedure, input.receivedAt);
    const upsert = searchAttributeUpdates(state, procedure);
    expect(upsert.map((pair) => pair.key.name)).toEqual(complaintSearchAttributeDefinitions.map((a) => a.name));
    expect(byName(upsert)).toMatchObject({
      ComplaintCaseOfficer: null,
      ComplaintNextDeadline: new Date(state.stages[0]!.acknowledgement!.dueAt),
    });
  });

  it('the list reads back what the workflow upserts, field by field', () => {
    const state = openComplaint(input, procedure, input.receivedAt);
    const officer = { id: 'officer.khan' };
    applyEvent(state, { type: 'case-officer-assigned', officer, seq: 2, at: input.receivedAt, actor: manager });
    const upsert = searchAttributeUpdates(state, procedure).filter((pair) => pair.value !== null);
    const summary = summaryOf({
      workflowId: state.ref,
      startTime: new Date(input.receivedAt),
      typedSearchAttributes: new TypedSearchAttributes(upsert as never),
    });
    const expected: Record<ComplaintSearchAttributeField, unknown> = {
      status: 'open',
      stage: 'level-1',
      serviceArea: input.details.serviceArea,
      category: input.details.category,
      caseOfficer: 'officer.khan',
      procedure: 'dundee-swd-2011@1',
      nextDeadline: state.stages[0]!.acknowledgement!.dueAt,
      receivedAt: input.receivedAt,
      overdue: false,
    };
    expect(summary).toEqual({ ref: state.ref, ...expected, startedAt: input.receivedAt, closedAt: null });
  });
});

describe('search attributes on a server that lacks them', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServer({ searchAttributes: false });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('the check names every missing one and says how to fix it', async () => {
    const check = await checkSearchAttributes(env.connection, 'default');
    expect(check.missing.map((a) => a.name)).toEqual(allNames);
    const line = describeSearchAttributeProblems(check, 'default');
    expect(line).toContain('ComplaintStatus (Keyword)');
    expect(line).toContain('ComplaintNextDeadline (Datetime)');
    expect(line).toContain('npm run temporal:register-search-attributes');
    expect(line).not.toContain('\n');
  });

  it('registers them once; a second run changes nothing', async () => {
    expect(await registerSearchAttributes(env.connection, 'default')).toEqual(allNames);
    expect(await registerSearchAttributes(env.connection, 'default')).toEqual([]);
    const check = await checkSearchAttributes(env.nativeConnection, 'default');
    expect(check).toEqual({ missing: [], wrongType: [] });
    expect(describeSearchAttributeProblems(check, 'default')).toBeUndefined();
  });
});

describe('a search attribute registered with the wrong type', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await startDevServer({ searchAttributes: false });
    await env.connection.operatorService.addSearchAttributes({
      namespace: 'default',
      searchAttributes: { ComplaintOverdue: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('is reported, not silently accepted', async () => {
    const check = await checkSearchAttributes(env.connection, 'default');
    expect(check.wrongType).toEqual([{ name: 'ComplaintOverdue', cliType: 'Bool', actual: 'KEYWORD' }]);
    await expect(registerSearchAttributes(env.connection, 'default')).rejects.toThrow(
      'ComplaintOverdue is KEYWORD, needs Bool',
    );
  });
});
