import { describe, expect, it } from 'vitest';
import { noticeKinds, type Notice } from '../../domain/notices';
import {
  composeNotice,
  loadNoticeTemplates,
  mailDomain,
  noticeMessageId,
  timeBetween,
  ukDate,
  ukTime,
} from '../../notifications/messages';
import { resolveRecipients } from '../../notifications/recipients';
import { renderTemplate, TemplateError } from '../../notifications/render';
import { loadStaffDirectory } from '../../notifications/staff-directory';
import { repoRoot } from '../../platform/repo-root';
import { ComplaintStory, noticeOfEachKind, RECEIVED_AT as RECEIVED_AT_MONDAY, shift } from './notice-fixtures';

const directory = loadStaffDirectory(`${repoRoot()}/config/staff-directory.example.yaml`);
const templates = loadNoticeTemplates();
const MAIL_FROM = 'Complaints <complaints@council.example>';

function compose(notice: Notice) {
  const resolved = resolveRecipients(notice, directory);
  if (!resolved.ok) throw new Error(resolved.reason);
  return composeNotice(notice, resolved.recipients, { directory, mailFrom: MAIL_FROM, templates });
}

describe('renderTemplate', () => {
  const render = (source: string, view: Record<string, unknown>, html = false) =>
    renderTemplate(source, view, { html, templateName: 't' });

  it('prints values, escaping HTML only in HTML', () => {
    const view = { name: '<b>Tom & "Jerry"</b>', o: { deep: "O'Neil" } };
    expect(render('Hi {{name}} / {{o.deep}}', view)).toBe('Hi <b>Tom & "Jerry"</b> / O\'Neil');
    expect(render('<p>{{name}} {{o.deep}}</p>', view, true)).toBe(
      '<p>&lt;b&gt;Tom &amp; &quot;Jerry&quot;&lt;/b&gt; O&#39;Neil</p>',
    );
    expect(render('<div>{{{name}}}</div>', view, true)).toBe('<div><b>Tom & "Jerry"</b></div>');
  });

  it('shows sections when truthy, inverted sections when falsy, and drops standalone tag lines', () => {
    const source =
      'a\n{{#yes}}\nshown {{yes}}\n{{/yes}}\n{{#no}}\nhidden {{no}}\n{{/no}}\n{{^no}}\nfallback\n{{/no}}\nz';
    expect(render(source, { yes: 'Y', no: null })).toBe('a\nshown Y\nfallback\nz');
    expect(render('x{{#a}}[{{#b}}{{b}}{{/b}}]{{/a}}y', { a: true, b: 0 })).toBe('x[]y');
  });

  it('refuses unknown names, unguarded empty values and unbalanced sections', () => {
    expect(() => render('{{nmae}}', { name: 'x' })).toThrow(/the view has no "nmae"/);
    expect(() => render('{{name}}', { name: null })).toThrow(/is empty; guard it/);
    expect(() => render('{{#a}}x', { a: 1 })).toThrow(/never closed/);
    expect(() => render('{{#a}}x{{/b}}', { a: 1, b: 1 })).toThrow(TemplateError);
  });
});

describe('dates', () => {
  it('are UK style in Europe/London, GMT and BST', () => {
    expect(ukDate(Date.parse('2026-03-16T10:15:00Z'))).toBe('Monday 16 March 2026');
    // 23:30 UTC on 30 June is 00:30 on 1 July in London (BST).
    expect(ukDate(Date.parse('2026-06-30T23:30:00Z'))).toBe('Wednesday 1 July 2026');
    expect(ukTime(Date.parse('2026-06-30T23:30:00Z'))).toBe('00:30');
    expect(ukTime(Date.parse('2026-12-01T17:05:00Z'))).toBe('17:05');
    expect(timeBetween(0, 72 * 3_600_000)).toBe('3 days');
    expect(timeBetween(0, 25 * 3_600_000)).toBe('1 day and 1 hour');
    expect(timeBetween(0, 5 * 3_600_000)).toBe('5 hours');
    expect(timeBetween(10, 0)).toBeNull();
  });
});

describe('Message-ID', () => {
  it('is the same for the same notice, different for any other, at complaints.<domain of MAIL_FROM>', () => {
    const id = noticeMessageId('SW-1/response-overdue/level-1/2026-03-16T10:15:00.000Z', MAIL_FROM);
    expect(id).toMatch(/^<[0-9a-f]{64}@complaints\.council\.example>$/);
    expect(noticeMessageId('SW-1/response-overdue/level-1/2026-03-16T10:15:00.000Z', 'other@council.example')).toBe(id);
    expect(noticeMessageId('SW-1/response-overdue/level-1/2026-03-17T10:15:00.000Z', MAIL_FROM)).not.toBe(id);
    expect(mailDomain('complaints@localhost')).toBe('localhost');
  });
});

describe('composed notices', () => {
  const notices = noticeOfEachKind();

  it('every kind renders, with reference, deadline date and no placeholders left', () => {
    for (const kind of noticeKinds) {
      const message = compose(notices[kind]);
      expect(message.subject, kind).toContain('SW-2026-000123');
      for (const part of [message.subject, message.text, message.html]) {
        expect(part, kind).not.toMatch(/\{\{|\}\}|undefined|null|NaN|\[object/);
      }
      expect(message.text, kind).toContain('SW-2026-000123');
      expect(message.html, kind).toContain('<html lang="en-GB">');
      expect(message.date.toISOString()).toBe(notices[kind].occurredAt);
      expect(message.headers).toMatchObject({
        'Auto-Submitted': 'auto-generated',
        'X-Complaint-Reference': 'SW-2026-000123',
        'X-Complaint-Notice': notices[kind].id,
      });
    }
  });

  it('subjects say what and by when', () => {
    const subjects = Object.fromEntries(noticeKinds.map((kind) => [kind, compose(notices[kind]).subject]));
    expect(subjects).toEqual({
      'acknowledgement-reminder': 'Reminder: acknowledge complaint SW-2026-000123 by Saturday 7 March 2026',
      'response-reminder': 'Reminder: response to complaint SW-2026-000123 due by Monday 16 March 2026',
      'acknowledgement-overdue': 'Overdue: complaint SW-2026-000123 was not acknowledged by Saturday 7 March 2026',
      'response-overdue': 'Overdue: response to complaint SW-2026-000123 was due by Monday 16 March 2026',
      'case-assigned': 'Complaint SW-2026-000123 assigned to Sam Jones',
      'complaint-acknowledged': 'Your complaint SW-2026-000123: we have received it',
      'outcome-letter': 'Your complaint SW-2026-000123: our response at Level 1',
      'procedure-changed': 'Your complaint SW-2026-000123: the procedure we follow has changed',
      'extension-agreed': 'Your complaint SW-2026-000123: our new date for your response',
      'withdrawal-confirmed': 'Your complaint SW-2026-000123: withdrawn',
      'ombudsman-referral-noted': 'Your complaint SW-2026-000123: referred to the Ombudsman',
      'letter-not-posted': 'Letter to post: complaint SW-2026-000123 not posted by Monday 9 March 2026',
      'improvement-action-reminder':
        'Improvement action IA-0123456789abcdef01234567 (complaint SW-2026-000123) due by Thursday 30 April 2026',
    });
  });

  it('staff reminders give the deadline, the time left and the complaint', () => {
    const { text } = compose(notices['response-reminder']);
    expect(text).toContain('Dear Sam Jones,');
    expect(text).toContain('is due by Monday 16 March 2026 at 10:15 (3 days from when this reminder was sent)');
    expect(text).toMatch(/Service area: +Community Care/);
    expect(text).toMatch(/Summary: +Home care visits were missed three times in one week/);
    expect(text).toContain('This message was sent automatically');
  });

  it('a response breach names who is copied', () => {
    expect(compose(notices['response-overdue']).text).toContain('A copy goes to Alex Brown.');
  });

  it('the acknowledgement tells the complainant the stage, what happens next and the response date', () => {
    const { text, html } = compose(notices['complaint-acknowledged']);
    expect(text).toContain('Dear Pat Complainant,');
    expect(text).toContain('Your complaint reference is SW-2026-000123.');
    expect(text).toContain('What happens next');
    expect(text).toContain('at Level 1 of our Social Work complaints procedure (2011, four stages)');
    expect(text).toContain('We will send you our response by Monday 16 March 2026.');
    expect(html).toContain('<strong>Monday 16 March 2026</strong>');
    // Staff details stay out of the complainant's letter.
    expect(text).not.toMatch(/Case officer|Summary:/);
    expect(text).toContain('Please quote reference SW-2026-000123');
  });

  it('the outcome letter gives the decision, findings and how to escalate by when (HTML escaped)', () => {
    const { text, html } = compose(notices['outcome-letter']);
    expect(text).toContain('Our decision: your complaint is partially upheld.');
    expect(text).toContain('Two visits were missed because of a rota error.');
    expect(text).toContain('The rota has been corrected & the team reminded.');
    expect(html).toContain('The rota has been corrected &amp; the team reminded.');
    expect(text).toContain(
      'you can ask for your complaint to be considered at the next stage, Level 2. You must ask by Wednesday 15 April 2026.',
    );
    expect(text).not.toContain('Ombudsman');
  });

  it('after the final stage the outcome letter explains the Ombudsman and the time limit', () => {
    const story = new ComplaintStory({ details: { serious: true } });
    // Serious complaints start at Level 2; walk to the Committee, the final stage.
    const at = (days: number) => shift('2026-03-02T10:15:00.000Z', days * 24);
    for (const [from, to, day] of [
      ['level-2', 'director-review', 20],
      ['director-review', 'committee', 50],
    ] as const) {
      story.record({ type: 'acknowledged', stage: from }, at(day - 18));
      story.record(
        { type: 'outcome-recorded', stage: from, outcome: 'not-upheld', escalationWindowEndsAt: at(day + 28) },
        at(day - 1),
      );
      story.record(
        {
          type: 'escalated',
          from,
          to,
          stage: { id: to, name: to, acknowledgementDueAt: at(day + 5), responseDueAt: at(day + 28) },
        },
        at(day),
      );
    }
    story.record({ type: 'acknowledged', stage: 'committee' }, at(52));
    const letter = story.record(
      { type: 'outcome-recorded', stage: 'committee', outcome: 'upheld', escalationWindowEndsAt: at(60 + 365) },
      at(60),
    )!;
    const { subject, text, html } = compose(letter);
    expect(subject).toBe('Your complaint SW-2026-000123: our response at Complaints Review Committee');
    expect(text).toContain(
      'This is our final response to your complaint. If you remain dissatisfied, you can ask the Scottish Public Services Ombudsman to look at it.',
    );
    expect(text).toContain('You must contact them by Saturday 1 May 2027: see https://www.spso.org.uk');
    expect(html).toContain('<a href="https://www.spso.org.uk">');
    expect(text).not.toContain('next stage');
  });

  it('a notice to the team mailbox about an officer without an address says so', () => {
    const story = new ComplaintStory();
    const notice = story.record(
      { type: 'case-officer-assigned', officer: { id: 'agency.worker', name: 'Chris <Agency>' } },
      '2026-03-02T11:00:00.000Z',
    )!;
    const { subject, text, html } = compose(notice);
    expect(subject).toBe('Complaint SW-2026-000123 assigned to Chris <Agency>');
    expect(text).toContain('Dear Community Care complaints team,');
    expect(text).toContain('has been assigned to Chris <Agency>, for whom the staff directory has no e-mail address');
    expect(html).toContain('assigned to Chris &lt;Agency&gt;');
  });
});

describe('how we worked this out', () => {
  it('letters and reminders that give a deadline say how it was worked out, when the procedure records it', () => {
    const notices = noticeOfEachKind();
    const explained = 'five working days, counting Monday 7 December 2026 as day 1';
    for (const kind of ['complaint-acknowledged', 'response-reminder', 'acknowledgement-overdue'] as const) {
      const message = compose({ ...notices[kind], dueAtExplained: explained });
      expect(message.text, kind).toContain(`How we worked this out: ${explained}.`);
      expect(message.html, kind).toContain(`How we worked this out: ${explained}.`);
      expect(compose(notices[kind]).text, kind).not.toContain('How we worked this out');
    }
  });
});

describe("the next stage's acknowledgement (letters for everyone)", () => {
  const day = (n: number) => shift(RECEIVED_AT_MONDAY, n * 24);
  const acknowledgementOf = (notices: Notice[]) => notices.find((n) => n.kind === 'complaint-acknowledged')!;

  it('after the complainant asked: the next stage, not "we have received your complaint"', () => {
    const story = new ComplaintStory({ rules: { letters: true } });
    story.act({ action: 'acknowledge' }, day(1));
    story.act({ action: 'record-outcome', outcome: 'not-upheld' }, day(8));
    story.act({ action: 'request-escalation' }, day(10));
    const { subject, text, html } = compose(acknowledgementOf(story.act({ action: 'acknowledge' }, day(11))));
    expect(subject).toBe('Your complaint SW-2026-000123: now at Level 2');
    expect(text).toContain(
      'You asked us to look at your complaint about Community Care again. It has moved from Level 1 to the next stage, Level 2, and we are looking into it.',
    );
    expect(html).toContain('It has moved from Level 1 to the next stage, Level 2');
    expect(text).not.toContain('We have received your complaint');
  });

  it('passed on by the front line without a Stage 1 outcome: it could not be resolved there, not "you asked"', () => {
    const story = new ComplaintStory({ rules: { letters: true }, procedure: { id: 'spso-mchp-2020', version: 1 } });
    story.act({ action: 'request-escalation' }, day(2));
    const { subject, text } = compose(acknowledgementOf(story.act({ action: 'acknowledge' }, day(3))));
    expect(subject).toBe('Your complaint SW-2026-000123: now at Stage 2: investigation');
    expect(text).toContain(
      'We could not resolve your complaint about Community Care at Stage 1: frontline response, so it has moved to the next stage, Stage 2: investigation, and we are looking into it.',
    );
    expect(text).toContain('of our Model complaints handling procedure (SPSO, revised 2020)');
    expect(text).not.toMatch(/You asked us|We have received your complaint|spso-mchp/);
  });

  it("a Level 2 outcome names the Director's review and the Committee; going straight there is acknowledged so", () => {
    const story = new ComplaintStory({ rules: { letters: true }, details: { serious: true } });
    story.act({ action: 'acknowledge' }, day(1));
    const [outcome] = story.act({ action: 'record-outcome', outcome: 'not-upheld' }, day(20));
    expect(compose(outcome!).text).toContain(
      'you can ask for your complaint to be considered at the next stage, Review by the Director. You must ask by',
    );
    expect(compose(outcome!).text).toContain(
      'You may instead ask for your complaint to go straight to the Complaints Review Committee.',
    );
    story.act({ action: 'request-escalation', bypass: true }, day(22));
    const { subject, text } = compose(acknowledgementOf(story.act({ action: 'acknowledge' }, day(23))));
    expect(subject).toBe('Your complaint SW-2026-000123: now at Complaints Review Committee');
    expect(text).toContain(
      'As you asked, your complaint about Community Care has moved from Level 2 straight to the next stage you chose, Complaints Review Committee, instead of the Review by the Director, and we are looking into it.',
    );
    expect(text).not.toMatch(/You asked us|dundee-swd/);
  });
});
