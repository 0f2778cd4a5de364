import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Notice } from '../domain/notices';
import type { PersonalData } from '../platform/personal-data';
import {
  NON_RETRYABLE_REGISTER_REFUSAL,
  REGISTER_REFUSAL_ATTEMPTS,
  type ComplaintActivities,
  type ComplaintRegisterWriter,
  type NoticeDelivery,
  type NoticeReceipt,
  type RegisterBatch,
  type RegisterWriteOrigin,
} from './contract';

export interface ActivityDependencies {
  register: ComplaintRegisterWriter;
  delivery: NoticeDelivery;
  /** Opens a notice's sealed fields to send it (the register's: platform/personal-data.ts); absent: sent as given. */
  personalData?: Pick<PersonalData, 'open' | 'isErased'>;
}

/** How a notice of an erased complaint is answered: not sent (nobody to write to), and not retried. */
export const NOT_SENT_ERASED = 'not-sent:erased';

/**
 * Sends a notice with its personal fields opened; a notice of an erased complaint is not sent (its receipt says so)
 * rather than failing for ever: its data key is gone, there is no name or address to send to.
 */
export async function deliverOpened(
  notice: Notice,
  personalData: ActivityDependencies['personalData'],
  deliver: (opened: Notice) => Promise<NoticeReceipt>,
): Promise<NoticeReceipt> {
  if (!personalData) return deliver(notice);
  if (await personalData.isErased(notice.ref)) {
    currentContext()?.log.info('Notice not sent: the complaint was erased', { ref: notice.ref, kind: notice.kind });
    return { noticeId: notice.id, deliveredAs: NOT_SENT_ERASED, recipients: [] };
  }
  return deliver(await personalData.open(notice));
}

/** The activities the complaint workflow calls, over whatever register and delivery the caller supplies. */
export function createActivities({ register, delivery, personalData }: ActivityDependencies): ComplaintActivities {
  return {
    recordInRegister: async (batch) => {
      // The register orders its writes by the workflow time of the task that made the batch, which a retried attempt
      // of a lost task's local activity keeps; a batch from before that field: when this attempt began, taken first.
      const startedAtMs = batch.madeAtMs ?? Date.now();
      const context = currentContext();
      const origin = context ? writeOrigin(startedAtMs, context.info) : { startedAtMs };
      let written: Awaited<ReturnType<ComplaintRegisterWriter['record']>>;
      try {
        written = await register.record(batch, origin);
      } catch (error) {
        throw givenUpIfRefusedForGood(error, batch, context);
      }
      if (written === 'superseded') {
        // A delayed attempt, or a lost task's write: what it holds is already there, or never was the history's.
        context?.log.info('Register batch superseded by a newer write', { ref: batch.ref, by: origin.by });
      }
      return { ref: batch.ref, entries: batch.entries };
    },
    sendNotice: (notice) => deliverOpened(notice, personalData, (opened) => delivery.deliver(opened)),
  };
}

/**
 * A lost connection or a locked database is retried for as long as it takes; a batch the database refuses for what
 * it holds (SQLSTATE class 22 data exception, 23 integrity violation) is refused again on every try, and would hold
 * the complaint's register writes up for ever. After a few tries of the ordinary activity (a unique violation can be
 * a passing race) it is given up as non-retryable, with an error line naming the complaint and the SQLSTATE, never
 * the data. The local activity's tries are not counted: its failure hands the batch to the ordinary activity.
 */
function givenUpIfRefusedForGood(error: unknown, batch: RegisterBatch, context: Context | undefined): unknown {
  const code = (error as { name?: unknown; code?: unknown }).code;
  const refusedForGood =
    (error as { name?: unknown }).name === 'RegisterQueryError' && typeof code === 'string' && /^2[23]/.test(code);
  if (!refusedForGood || !context || context.info.isLocal || context.info.attempt < REGISTER_REFUSAL_ATTEMPTS) {
    return error;
  }
  const seqs = `${batch.entries[0]?.seq ?? '?'}-${batch.entries[batch.entries.length - 1]?.seq ?? '?'}`;
  context.log.error('The register refused a batch for good; it is skipped until the next batch or a reconcile', {
    ref: batch.ref,
    seqs,
    sqlstate: code,
    attempt: context.info.attempt,
  });
  return ApplicationFailure.nonRetryable(
    `The register refused entries ${seqs} of ${batch.ref} (SQLSTATE ${code}) ${context.info.attempt} times`,
    NON_RETRYABLE_REGISTER_REFUSAL,
  );
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
