import { Context } from '@temporalio/activity';
import type { ComplaintActivities, ComplaintRegisterWriter, NoticeDelivery, RegisterWriteOrigin } from './contract';

export interface ActivityDependencies {
  register: ComplaintRegisterWriter;
  delivery: NoticeDelivery;
}

/** The activities the complaint workflow calls, over whatever register and delivery the caller supplies. */
export function createActivities({ register, delivery }: ActivityDependencies): ComplaintActivities {
  return {
    recordInRegister: async (batch) => {
      // Taken first, before anything can stall this attempt: the register orders its writes by when they began.
      const startedAtMs = Date.now();
      const context = currentContext();
      const origin = context ? writeOrigin(startedAtMs, context.info) : { startedAtMs };
      if ((await register.record(batch, origin)) === 'superseded') {
        // A delayed attempt, or a lost task's write: what it holds is already there, or never was the history's.
        context?.log.info('Register batch superseded by a newer write', { ref: batch.ref, by: origin.by });
      }
      return { ref: batch.ref, entries: batch.entries };
    },
    sendNotice: (notice) => delivery.deliver(notice),
  };
}

/** The activity's context; undefined when the function is called outside an activity (a test calling it directly). */
function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

/** Who writes, for the entries' provenance: the workflow run, the (local) activity and its attempt. */
function writeOrigin(startedAtMs: number, info: Context['info']): RegisterWriteOrigin {
  const kind = info.isLocal ? 'local' : 'activity';
  return { startedAtMs, by: `${info.workflowExecution?.runId ?? '?'}/${kind}-${info.activityId}#${info.attempt}` };
}
