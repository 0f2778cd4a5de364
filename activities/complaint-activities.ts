import type { ComplaintActivities, ComplaintRegisterWriter, NoticeDelivery } from './contract';

export interface ActivityDependencies {
  register: ComplaintRegisterWriter;
  delivery: NoticeDelivery;
}

/** The activities the complaint workflow calls, over whatever register and delivery the caller supplies. */
export function createActivities({ register, delivery }: ActivityDependencies): ComplaintActivities {
  return {
    recordInRegister: async (batch) => {
      await register.record(batch);
      return { ref: batch.ref, entries: batch.entries };
    },
    sendNotice: (notice) => delivery.deliver(notice),
  };
}
