import type { AppConfig } from '../platform/config';
import { createNoticeDelivery } from '../notifications';
import { openRegister } from '../register';
import { createActivities } from './complaint-activities';
import type { ComplaintActivities } from './contract';

export { createActivities } from './complaint-activities';
export type { ComplaintActivities } from './contract';

/** The worker's activities over the configured register (PostgreSQL or embedded PGlite) and mail delivery. */
export async function createActivitiesFromConfig(
  config: AppConfig,
): Promise<{ activities: ComplaintActivities; close(): Promise<void> }> {
  const register = await openRegister(config);
  const delivery = await createNoticeDelivery(config);
  return {
    activities: createActivities({ register, delivery }),
    close: async () => {
      await delivery.close();
      await register.close();
    },
  };
}
