import { type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { londonDate } from '../domain/calendar';
import type { ComplaintState } from '../domain/complaint';
import type { IntakeRequest } from '../domain/intake';
import { getProcedure } from '../domain/procedures';
import { defaultHolidayCalendar } from '../domain/scottish-holidays';
import type { Actor } from '../domain/vocabulary';
import type { Register } from '../register';
import { complaintWorkflow } from '../workflows';
import { ACTION_REJECTED, INVALID_ACTION, actionUpdates, complaintStateQuery } from '../workflows/messages';
import { complaintStartOptions } from '../workflows/start-options';
import type { ScenarioAction } from './format';
import type { ActionResult, ScenarioDriver } from './replay';

// The replay's driver straight onto Temporal (no HTTP): starts complaint workflows and sends actions as Updates,
// as the API does; compliments go to the register. Used where the API is not wanted (and as the reference for the
// HTTP driver).

export const SCENARIO_INTAKE: Actor = { id: 'scenario.intake', name: 'Scenario intake', role: 'intake' };
export const SCENARIO_OFFICER: Actor = { id: 'scenario.officer', name: 'Scenario officer', role: 'manager' };

export function temporalDriver(options: { client: Client; taskQueue: string; register: Register; indexed?: boolean }): ScenarioDriver {
  const { client, taskQueue, register } = options;
  return {
    async receive(intake) {
      const procedure = getProcedure({ id: intake.procedure?.id ?? 'dundee-swd-2011', version: intake.procedure?.version ?? 1 });
      const serious = intake.serious ?? false;
      const input = {
        ref: intake.ref,
        procedure: { id: procedure.id, version: procedure.version },
        details: {
          complainant: intake.complainant,
          ...(intake.representative ? { representative: intake.representative } : {}),
          serviceArea: intake.serviceArea,
          category: intake.category,
          channel: intake.channel,
          summary: intake.summary,
          serious,
        },
        receivedAt: intake.receivedAt,
        holidays: defaultHolidayCalendar(Number(londonDate(Date.parse(intake.receivedAt)).slice(0, 4))),
        actor: SCENARIO_INTAKE,
      };
      const firstStage = serious ? procedure.seriousStartStage : procedure.firstStage;
      await client.workflow.start(complaintWorkflow, complaintStartOptions(input, firstStage, { taskQueue, indexed: options.indexed ?? false }));
    },

    async act(ref, { action, body }: ScenarioAction): Promise<ActionResult> {
      try {
        await client.workflow.getHandle(ref).executeUpdate(actionUpdates[action] as never, { args: [{ ...body, actor: SCENARIO_OFFICER }] as never });
        return { ok: true };
      } catch (err) {
        const refusal = refusalOf(err);
        if (refusal) return refusal;
        throw err;
      }
    },

    async recordCompliment(compliment) {
      await register.recordCompliment(compliment, SCENARIO_INTAKE, new Date());
    },
  };
}

function refusalOf(err: unknown): Extract<ActionResult, { ok: false }> | undefined {
  if (!(err instanceof WorkflowUpdateFailedError) || !(err.cause instanceof ApplicationFailure)) return undefined;
  const failure = err.cause;
  if (failure.type !== ACTION_REJECTED && failure.type !== INVALID_ACTION) return undefined;
  const code = (failure.details?.[0] as { code?: string } | undefined)?.code ?? failure.type ?? 'rejected';
  return { ok: false, code, message: failure.message };
}

/** How many timeline entries each complaint's workflow holds now (to wait for the register to catch up). */
export async function workflowTimelineLengths(client: Client, refs: readonly string[]): Promise<Map<string, number>> {
  const lengths = new Map<string, number>();
  for (const ref of refs) {
    const state: ComplaintState = await client.workflow.getHandle(ref).query(complaintStateQuery);
    lengths.set(ref, state.timeline.length);
  }
  return lengths;
}

/** Waits until the register holds every entry the workflows have recorded (the register writes are asynchronous). */
export async function waitForRegister(client: Client, register: Register, refs: readonly string[], timeoutMs = 60_000): Promise<void> {
  const expected = await workflowTimelineLengths(client, refs);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recorded = await register.lastSeqs();
    const behind = [...expected].filter(([ref, length]) => (recorded.get(ref) ?? 0) < length);
    if (behind.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(`The register is behind the workflows for ${behind.length} complaint(s), e.g. ${behind.slice(0, 3).map(([ref, n]) => `${ref} (${recorded.get(ref) ?? 0}/${n})`).join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
