// Registering the complaint search attributes on an external server, and the worker's start-up check.
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { complaintSearchAttributeDefinitions } from '../../workflows/search-attributes';
import {
  checkSearchAttributes,
  describeSearchAttributeProblems,
  registerSearchAttributes,
} from '../../platform/search-attributes';
import { startDevServer } from '../support/temporal';

const allNames = complaintSearchAttributeDefinitions.map((a) => a.name);

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
