import {
  SYSTEM_ACTOR,
  applyEvent,
  decide,
  initialState,
  receiveComplaint,
  type ComplaintEvent,
  type ComplaintState,
  type TimelineEntry,
} from '../../domain/complaint';
import type { ComplaintDetails } from '../../domain/intake';
import type { Actor } from '../../domain/vocabulary';
import { letterNotPostedNotice, noticeFor, type Notice, type NoticeRules } from '../../domain/notices';
import { getProcedure } from '../../domain/procedures';
import { improvementReminderNotice } from '../../domain/improvement-actions';
import { complaintDetails } from '../support/complaint-harness';

// Notices made the way the workflow makes them: events folded into a complaint's state by the domain's own
// functions, then `noticeFor`. Unit tests of recipients and templates use these instead of hand-built objects.

export const RECEIVED_AT = '2026-03-02T10:15:00.000Z'; // Monday 2 March 2026, 10:15 GMT

export class ComplaintStory {
  readonly procedure;
  readonly state: ComplaintState;
  readonly notices: Notice[] = [];
  readonly rules: NoticeRules;

  constructor(
    options: {
      ref?: string;
      procedure?: { id: string; version: number };
      details?: Partial<ComplaintDetails>;
      receivedAt?: string;
      /** The workflow's notice rules (letters for everyone: `{ letters: true }`). */
      rules?: NoticeRules;
    } = {},
  ) {
    this.rules = options.rules ?? {};
    this.procedure = getProcedure(options.procedure ?? { id: 'dundee-swd-2011', version: 1 });
    const receivedAt = options.receivedAt ?? RECEIVED_AT;
    const first = receiveComplaint({
      ref: options.ref ?? 'SW-2026-000123',
      procedure: this.procedure,
      details: complaintDetails(options.details),
      receivedAtMs: Date.parse(receivedAt),
      holidays: [],
    });
    this.state = initialState({ ...first, seq: 1, at: receivedAt, actor: { id: 'intake.smith' } } as TimelineEntry);
  }

  /** Records an event at `at` and returns the notice it calls for, if any. */
  record(event: ComplaintEvent, at: string): Notice | undefined {
    const entry = { ...event, seq: this.state.timeline.length + 1, at, actor: SYSTEM_ACTOR } as TimelineEntry;
    applyEvent(this.state, entry);
    // The procedure the complaint follows after the event (another after a procedure-migrated event).
    const notice = noticeFor(entry, this.state, getProcedure(this.state.procedure), this.rules);
    if (notice) this.notices.push(notice);
    return notice;
  }

  /** Decides `command` as the workflow does, at `at`, records its events and returns the notices they call for. */
  act(command: { action: string } & Record<string, unknown>, at: string, actor: Actor = MANAGER): Notice[] {
    const decision = decide(
      this.state,
      { ...command, actor } as never,
      Date.parse(at),
      getProcedure(this.state.procedure),
    );
    if (!decision.ok) throw new Error(`${command.action}: ${decision.reason}`);
    return decision.events.flatMap((event) => this.record(event, at) ?? []);
  }

  get stage() {
    return this.state.stages[this.state.stages.length - 1]!;
  }
}

const officer = { id: 'officer.jones', name: 'Sam Jones' };
const MANAGER: Actor = { id: 'manager.brown', role: 'manager' };

/** One notice of every kind, for a complaint at Level 1 of the Dundee procedure. */
export function noticeOfEachKind(
  options: { officerEmail?: string; withOfficer?: boolean } = {},
): Record<Notice['kind'], Notice> {
  const story = new ComplaintStory();
  const notices: Partial<Record<Notice['kind'], Notice>> = {};
  const keep = (notice: Notice | undefined) => {
    if (notice) notices[notice.kind] = notice;
  };
  const ackDue = story.stage.acknowledgement!.dueAt;
  const responseDue = story.stage.response.dueAt;
  if (options.withOfficer !== false) {
    keep(
      story.record(
        {
          type: 'case-officer-assigned',
          officer: { ...officer, ...(options.officerEmail ? { email: options.officerEmail } : {}) },
        },
        '2026-03-02T11:00:00.000Z',
      ),
    );
  }
  keep(
    story.record(
      { type: 'reminder-issued', stage: 'level-1', deadline: 'acknowledgement', dueAt: ackDue, hoursBefore: 24 },
      shift(ackDue, -24),
    ),
  );
  keep(
    story.record({ type: 'deadline-breached', stage: 'level-1', deadline: 'acknowledgement', dueAt: ackDue }, ackDue),
  );
  keep(story.record({ type: 'acknowledged', stage: 'level-1' }, shift(ackDue, 2)));
  keep(
    story.record(
      { type: 'reminder-issued', stage: 'level-1', deadline: 'response', dueAt: responseDue, hoursBefore: 72 },
      shift(responseDue, -72),
    ),
  );
  keep(
    story.record(
      { type: 'deadline-breached', stage: 'level-1', deadline: 'response', dueAt: responseDue },
      responseDue,
    ),
  );
  keep(
    story.record(
      {
        type: 'outcome-recorded',
        stage: 'level-1',
        outcome: 'partially-upheld',
        findings: 'Two visits were missed because of a rota error.',
        actionsTaken: 'The rota has been corrected & the team reminded.',
        escalationWindowEndsAt: shift(responseDue, 24 * 30),
      },
      shift(responseDue, 24 * 2),
    ),
  );
  // Another complaint, moved to the SPSO model procedure on its third day (decided as the workflow decides it).
  const moved = new ComplaintStory();
  const at = shift(RECEIVED_AT, 48);
  moved
    .act({ action: 'migrate-procedure', to: 'spso-mchp@1', reason: 'The council adopted the SPSO procedure' }, at, {
      id: 'manager.brown',
    })
    .forEach(keep);
  // Letters for everyone: an extension, then a withdrawal; another complaint referred to the Ombudsman.
  const lettered = new ComplaintStory({ rules: { letters: true } });
  lettered
    .act(
      { action: 'grant-extension', days: 14, reason: 'Two more staff to interview', agreedWithComplainant: true },
      shift(RECEIVED_AT, 24),
    )
    .forEach(keep);
  keep(lettered.record({ type: 'withdrawn', reason: 'Resolved informally' }, shift(RECEIVED_AT, 48)));
  const referred = new ComplaintStory({ rules: { letters: true } });
  keep(referred.record({ type: 'referred-to-ombudsman', reference: 'SPSO-202600123' }, shift(RECEIVED_AT, 48)));
  const acknowledgement = notices['complaint-acknowledged'];
  if (acknowledgement)
    keep(letterNotPostedNotice(acknowledgement, shift(acknowledgement.occurredAt, 48), 'SW-2026-000123/letter/1'));
  // An improvement action's owner reminded before its due day (domain/improvement-actions.ts).
  const action = { id: 'IA-0123456789abcdef01234567', what: 'Check the rota weekly', owner: officer.id };
  keep(
    improvementReminderNotice(
      { ...action, dueDate: '2026-04-30' },
      'before-due',
      story.state,
      '2026-04-23T08:00:00.000Z',
    ),
  );
  return notices as Record<Notice['kind'], Notice>;
}

export function shift(instant: string, hours: number): string {
  return new Date(Date.parse(instant) + hours * 3_600_000).toISOString();
}
