import { addDays, type HolidayCalendar } from './calendar';
import type { Notice } from './notices';

// Letters to complainants: how each goes, and by when a letter to post must be posted (its id: digests.ts). The
// workflow (which arms the not-posted reminder) and the delivery (which posts or e-mails) both ask here, so they
// never disagree.

export type LetterChannel = 'email' | 'post';

/** A complainant's letter goes by e-mail when they gave an address, otherwise by post; staff notices by e-mail. */
export function letterChannel(notice: Pick<Notice, 'audience' | 'complainant'>): LetterChannel {
  return notice.audience === 'complainant' && !notice.complainant.email ? 'post' : 'email';
}

/** A letter queued to post must be posted by the end of the next working day (Europe/London, the complaint's calendar). */
export function letterPostBy(queuedAtMs: number, holidays: HolidayCalendar): number {
  return addDays(queuedAtMs, { days: 1, kind: 'working' }, holidays);
}

/** The complainant's name and postal address as lines for the envelope window (the address as given, by line or comma). */
export function addressLines(name: string, address: string | undefined): string[] {
  const lines = (address ?? '')
    .split(/\r?\n|,/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return [name, ...lines];
}
