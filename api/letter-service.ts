import { z } from 'zod';
import type { ActionName } from '../domain/action-names';
import { parseCommand } from '../domain/actions';
import { applyEvent, decide, type ComplaintState, type TimelineEntry } from '../domain/complaint';
import { letterChannel } from '../domain/letters';
import { noticeFor, type Notice } from '../domain/notices';
import { getProcedure } from '../domain/procedures';
import type { Actor } from '../domain/vocabulary';
import type { LetterPrinter } from '../notifications/letter-printer';
import type { LetterRecord, LetterStatus, LetterStore } from '../register/letters';
import { letterStatuses } from '../register/letters';
import { ApiError, badRequest, conflict, notFound } from './errors';

// Letters for the API and the web application: the queue of letters to post, a letter and its PDF, marking one
// posted (who and when), the letters kept in a complaint's record, and a preview of the letter an action would send
// (decided by the domain's own rules on a copy of the complaint, nothing recorded).

export const previewActions = [
  'acknowledge',
  'record-outcome',
  'request-escalation',
  'grant-extension',
  'withdraw',
  'refer-to-ombudsman',
  'migrate-procedure',
] as const satisfies readonly ActionName[];
export type PreviewAction = (typeof previewActions)[number];

export const LetterSchema = z
  .object({
    id: z.string(),
    ref: z.string(),
    kind: z.string().describe('The notice kind (complaint-acknowledged, outcome-letter, extension-agreed, ...)'),
    channel: z.enum(['email', 'post']),
    status: z.enum(letterStatuses),
    recipientName: z.string(),
    recipientEmail: z.string().nullable(),
    addressLines: z
      .array(z.string())
      .nullable()
      .describe('The envelope window lines; null when the complainant gave no postal address'),
    subject: z.string(),
    body: z.string().describe('The letter as printed or e-mailed, in plain text'),
    hasPdf: z.boolean(),
    createdAt: z.string(),
    postBy: z.string().nullable().describe('A letter to post: by when (end of the next working day, London)'),
    posted: z.object({ at: z.string(), by: z.string() }).nullable(),
    remindedAt: z.string().nullable(),
  })
  .meta({ id: 'Letter' });
export const LetterListSchema = z.object({ letters: z.array(LetterSchema) });

export interface LetterServiceDependencies {
  letters: LetterStore;
  printer: LetterPrinter;
  /** The complaint as it stands (the complaint service's query). */
  complaintState(ref: string): Promise<ComplaintState>;
}

export interface LetterPreview {
  notice: Notice;
  channel: 'email' | 'post';
  subject: string;
  body: string;
  pdf: Uint8Array;
}

/** The letters' service: what the API routes (api/routes/letters.ts) and the web application call. */
export class LetterService {
  constructor(private readonly deps: LetterServiceDependencies) {}

  /** Letters by status (the queue: `to-post`), oldest first. */
  list(status?: LetterStatus): Promise<LetterRecord[]> {
    return this.deps.letters.list(status ? { status } : {});
  }

  lettersToPost(): Promise<LetterRecord[]> {
    return this.list('to-post');
  }

  /** Every letter kept in a complaint's record, oldest first. */
  lettersOf(ref: string): Promise<LetterRecord[]> {
    return this.deps.letters.list({ ref });
  }

  async letter(id: string): Promise<LetterRecord> {
    const letter = await this.deps.letters.get(id);
    if (!letter) throw letterNotFound(id);
    return letter;
  }

  async letterPdf(id: string): Promise<Uint8Array> {
    const letter = await this.letter(id);
    const pdf = letter.hasPdf ? await this.deps.letters.pdf(id) : undefined;
    if (!pdf) throw notFound('letter-has-no-pdf', `Letter ${id} went by e-mail: it has no printed copy`);
    return pdf;
  }

  /** A person marks a letter to post as posted: 409 when it is not one (e-mailed, or already posted). */
  async markPosted(id: string, by: Actor, at: Date): Promise<LetterRecord> {
    const marked = await this.deps.letters.markPosted(id, by.id, at);
    if (marked.ok) return marked.letter;
    if (marked.why === 'not-found') throw letterNotFound(id);
    const letter = await this.letter(id);
    throw conflict(
      letter.status === 'posted' ? 'letter-already-posted' : 'letter-not-to-post',
      letter.status === 'posted'
        ? `Letter ${id} was marked posted by ${letter.posted?.by ?? 'someone'} at ${letter.posted?.at ?? '?'}`
        : `Letter ${id} went by e-mail; there is nothing to post`,
    );
  }

  /** The letter `action` with `body` would send now, decided on a copy of the complaint (nothing is recorded). */
  async preview(ref: string, action: PreviewAction, body: object, actor: Actor, nowMs: number): Promise<LetterPreview> {
    const state = structuredClone(await this.deps.complaintState(ref));
    const parsed = parseCommand(action, { ...body, actor });
    if (!parsed.ok)
      throw badRequest('invalid-request', parsed.reason, [{ in: 'body', path: '', message: parsed.reason }]);
    const decision = decide(state, parsed.command, nowMs, getProcedure(state.procedure));
    if (!decision.ok) throw new ApiError(409, decision.code, decision.reason);
    for (const event of decision.events) {
      const entry = {
        ...event,
        seq: state.timeline.length + 1,
        at: new Date(nowMs).toISOString(),
        actor,
      } as TimelineEntry;
      applyEvent(state, entry);
      const notice = noticeFor(entry, state, getProcedure(state.procedure), { letters: true });
      if (notice?.audience === 'complainant') {
        const printed = await this.deps.printer.print(notice);
        return {
          notice,
          channel: letterChannel(notice),
          subject: printed.subject,
          body: printed.body,
          pdf: printed.pdf,
        };
      }
    }
    throw conflict('no-letter', `${action} sends the complainant no letter`);
  }
}

function letterNotFound(id: string): ApiError {
  return notFound('letter-not-found', `There is no letter ${id}`);
}
