import { improvementReminderNotice, type ComplaintForReminder } from '../domain/improvement-actions';
import type { ImprovementActionStore } from '../register/improvement-actions';
import type { PersonalData } from '../platform/personal-data';
import type { ImprovementActionActivities, NoticeDelivery } from './contract';
import { deliverOpened, NOT_SENT_ERASED } from './complaint-activities';

// The improvement action workflow's activity: the owner's reminder as a staff notice (the same delivery as the
// complaint's notices: the same notice id is never sent twice), and its event in the action's timeline.

export interface ImprovementActionActivityDependencies {
  actions: ImprovementActionStore;
  /** The complaint as the register last holds it (its procedure, stage, service area, complainant's name). */
  complaint(ref: string): Promise<ComplaintForReminder | undefined>;
  delivery: NoticeDelivery;
  personalData?: PersonalData;
}

export function createImprovementActionActivities(
  deps: ImprovementActionActivityDependencies,
): ImprovementActionActivities {
  return {
    remindImprovementActionOwner: async ({ actionId, kind, at }) => {
      const action = await deps.actions.get(actionId);
      if (action?.completion) return 'completed';
      const complaint = action ? await deps.complaint(action.ref) : undefined;
      if (!action || !complaint) return 'not-sent';
      const notice = improvementReminderNotice(action, kind, complaint, at);
      const receipt = await deliverOpened(notice, deps.personalData, (opened) => deps.delivery.deliver(opened));
      if (receipt.deliveredAs === NOT_SENT_ERASED) return 'not-sent';
      await deps.actions.recordReminder(actionId, kind, new Date(at));
      return 'reminded';
    },
  };
}
