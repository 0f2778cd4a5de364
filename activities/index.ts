import type { Client } from '@temporalio/client';
import type { AppConfig } from '../platform/config';
import { connectClient } from '../platform/temporal-connection';
import { createNoticeDelivery } from '../notifications';
import { openRegister, type Register } from '../register';
import { createActivities, deliverOpened } from './complaint-activities';
import { createCalendarChangeActivities } from './calendar-change';
import { createImprovementActionActivities } from './improvement-actions';
import type {
  CalendarChangeActivities,
  ComplaintActivities,
  ImprovementActionActivities,
  LetterActivities,
  ReconciliationActivities,
  RetentionActivities,
} from './contract';
import { createReconciliationActivities } from './reconciliation';
import { createRetentionActivities } from './retention';
import { retentionScheduleFor } from '../platform/procedure-files';

export { createActivities } from './complaint-activities';
export { createReconciliationActivities } from './reconciliation';
export { createCalendarChangeActivities } from './calendar-change';
export type { CalendarChangeActivities, ComplaintActivities, ReconciliationActivities } from './contract';

/**
 * The worker's activities over the configured register (PostgreSQL or embedded PGlite) and mail delivery, and the
 * daily reconciliation's and a calendar change's, whose Temporal client (the worker's connection settings) is connected on its first run
 * only: most worker processes never run it. `options.register`: a register this process has opened already (the worker
 * and the API in one process share the embedded one: scripts/worker-and-api.ts); its opener closes it, not `close`.
 */
export async function createActivitiesFromConfig(
  config: AppConfig,
  options: { register?: Register } = {},
): Promise<{
  activities: ComplaintActivities &
    ReconciliationActivities &
    CalendarChangeActivities &
    LetterActivities &
    ImprovementActionActivities &
    RetentionActivities;
  close(): Promise<void>;
}> {
  const register = options.register ?? (await openRegister(config));
  const delivery = await createNoticeDelivery(config, {
    letters: register.letters,
    sealRecipients: (ref, addresses) =>
      Promise.all(addresses.map((address) => register.personalData.seal(ref, address))),
  });
  let connecting: Promise<Client> | undefined;
  const client = () => {
    // A failed connection is forgotten, so the activity's retry connects again.
    connecting ??= connectClient(config).catch((err: unknown) => {
      connecting = undefined;
      throw err;
    });
    return connecting;
  };
  return {
    activities: {
      ...createActivities({ register, delivery, personalData: register.personalData }),
      remindIfLetterNotPosted: async (request) => {
        let result: 'posted' | 'reminded' = 'posted';
        // The reminder names the complaint's letter: opened like a notice; an erased complaint's is not sent.
        await deliverOpened(request.notice, register.personalData, async (notice) => {
          result = await delivery.remindIfLetterNotPosted({ ...request, notice });
          return { noticeId: notice.id, deliveredAs: result, recipients: [] };
        });
        return result;
      },
      ...createImprovementActionActivities({
        actions: register.improvementActions,
        complaint: (ref) => register.complaint(ref),
        delivery,
        personalData: register.personalData,
      }),
      ...createReconciliationActivities({ client, register }),
      ...createCalendarChangeActivities({ client }),
      ...createRetentionActivities({ client, register, schedule: retentionScheduleFor(config) }),
    },
    close: async () => {
      await delivery.close();
      if (connecting) await (await connecting.catch(() => undefined))?.connection.close();
      if (!options.register) await register.close();
    },
  };
}
