import type { Notice } from '../domain/notices';
import { findStaffMember, type StaffDirectory } from './staff-directory';

// Who receives a notice: a pure function of the notice and the staff directory.
// - Complainant notices (acknowledgement, outcome letter): the complainant's e-mail address; replies go to the
//   service area's team mailbox.
// - Staff notices (reminders, breach notices, assignment): the case officer (their address from the assign
//   action, else from the directory); with no case officer, or none with a known address, the service area's
//   team mailbox. On a response breach the officer's manager (else the service area's manager) is copied.

export interface Mailbox {
  name?: string;
  address: string;
}

export interface NoticeRecipients {
  to: Mailbox[];
  cc: Mailbox[];
  replyTo?: Mailbox;
  /** Whom the message greets. */
  greeting: string;
}

export type RecipientResolution = { ok: true; recipients: NoticeRecipients } | { ok: false; reason: string };

export function resolveRecipients(notice: Notice, directory: StaffDirectory): RecipientResolution {
  const team = directory.serviceAreas[notice.serviceArea];
  if (!team) return { ok: false, reason: `the staff directory has no team for service area "${notice.serviceArea}"` };
  const teamMailbox: Mailbox = { name: team.name, address: team.mailbox };

  if (notice.audience === 'complainant') {
    const { name, email } = notice.complainant;
    if (!email) return { ok: false, reason: 'the complainant gave no e-mail address' };
    return { ok: true, recipients: { to: [{ name, address: email }], cc: [], replyTo: teamMailbox, greeting: name } };
  }

  const officer = notice.caseOfficer;
  const listed = officer ? findStaffMember(directory, officer.id) : undefined;
  const officerAddress = officer?.email ?? listed?.email;
  const to: Mailbox =
    officer && officerAddress
      ? { name: officer.name ?? listed?.name ?? officer.id, address: officerAddress }
      : teamMailbox;

  const cc: Mailbox[] = [];
  if (notice.kind === 'response-overdue') {
    const managerId = listed?.manager ?? team.manager;
    const manager = managerId ? findStaffMember(directory, managerId) : undefined;
    if (manager) cc.push({ name: manager.name, address: manager.email });
  }

  return {
    ok: true,
    recipients: {
      to: [to],
      cc: cc.filter((mailbox) => !sameAddress(mailbox, to)),
      greeting: to.name ?? to.address,
    },
  };
}

function sameAddress(a: Mailbox, b: Mailbox): boolean {
  return a.address.toLowerCase() === b.address.toLowerCase();
}

/** Every address a message goes to, for receipts and logs. */
export function allAddresses(recipients: NoticeRecipients): string[] {
  return [...recipients.to, ...recipients.cc].map((mailbox) => mailbox.address);
}
