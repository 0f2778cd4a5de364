import type { ComplaintActivities, ComplaintRegisterWriter, NoticeDelivery } from './contract';

export interface ActivityDependencies {
  register: ComplaintRegisterWriter;
  delivery: NoticeDelivery;
}

/** The activities the complaint workflow calls, over whatever register and delivery the caller supplies. */
export function createActivities({ register, delivery }: ActivityDependencies): ComplaintActivities {
  return {
    recordInRegister: (batch) => register.record(batch),
    sendNotice: (notice) => delivery.deliver(notice),
  };
}
