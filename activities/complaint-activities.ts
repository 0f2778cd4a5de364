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
      const origin = writeOrigin(Date.now());
      await register.record(batch, origin);
      return { ref: batch.ref, entries: batch.entries };
    },
    sendNotice: (notice) => delivery.deliver(notice),
  };
}

/** Who writes, for the entries' provenance: the workflow run, the (local) activity and its attempt. */
function writeOrigin(startedAtMs: number): RegisterWriteOrigin {
  let info: Context['info'];
  try {
    info = Context.current().info;
  } catch {
    return { startedAtMs }; // called outside an activity (a test calling the function directly)
  }
  const kind = info.isLocal ? 'local' : 'activity';
  return { startedAtMs, by: `${info.workflowExecution?.runId ?? '?'}/${kind}-${info.activityId}#${info.attempt}` };
}
