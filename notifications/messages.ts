import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COUNCIL_TIME_ZONE } from '../domain/calendar';
import { noticeKinds, type Notice } from '../domain/notices';
import { deadlineWords, serviceAreaWords, standingWords } from '../domain/words';
import { repoRoot } from '../platform/repo-root';
import type { NoticeRecipients } from './recipients';
import { renderTemplate, TemplateError, type TemplateView } from './render';
import type { StaffDirectory } from './staff-directory';

// A notice as an e-mail: subject, plain text and HTML from notifications/templates/<kind>.txt|.html inside
// _layout.txt|.html, dates in UK style in the council's time zone, and headers that make every attempt to send
// the same notice the same message (Message-ID from the notice id, Date from when the event happened).

export interface ComposedMessage {
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** Threads a complaint's notices together in mail clients. */
  references: string;
  date: Date;
  headers: Record<string, string>;
}

export interface NoticeTemplates {
  /** Template sources by file name (e.g. `response-overdue.txt`). */
  readonly sources: ReadonlyMap<string, string>;
}

/** Where the templates are: next to this module (tsx, or dist/ after `npm run build` copied them), else the sources. */
export function templatesDirectory(): string {
  const candidates = [path.join(__dirname, 'templates'), path.join(repoRoot(), 'notifications', 'templates')];
  const found = candidates.find((dir) => existsSync(path.join(dir, '_layout.txt')));
  if (!found) throw new TemplateError(`Notice templates not found (looked in ${candidates.join(', ')})`);
  return found;
}

/** Reads every template once, and checks each notice kind has both parts. */
export function loadNoticeTemplates(dir: string = templatesDirectory()): NoticeTemplates {
  const sources = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    if (/\.(txt|html)$/.test(file)) sources.set(file, readFileSync(path.join(dir, file), 'utf8'));
  }
  const missing = ['_layout', ...noticeKinds]
    .flatMap((name) => [`${name}.txt`, `${name}.html`])
    .filter((file) => !sources.has(file));
  if (missing.length > 0) throw new TemplateError(`Notice templates missing in ${dir}: ${missing.join(', ')}`);
  return { sources };
}

/** `<sha256(notice id)@complaints.<domain of MAIL_FROM>>`: the same notice is always the same message. */
export function noticeMessageId(noticeId: string, mailFrom: string): string {
  return `<${sha256(noticeId)}@complaints.${mailDomain(mailFrom)}>`;
}

export function mailDomain(mailFrom: string): string {
  const match = /@([^\s<>@]+?)>?\s*$/.exec(mailFrom);
  return match?.[1]?.toLowerCase() ?? 'localhost';
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function composeNotice(
  notice: Notice,
  recipients: NoticeRecipients,
  context: { directory: StaffDirectory; mailFrom: string; templates: NoticeTemplates },
): ComposedMessage {
  const view = noticeView(notice, recipients, context.directory);
  const source = (file: string) => context.templates.sources.get(file) ?? '';
  const { subject, body } = splitSubject(source(`${notice.kind}.txt`), `${notice.kind}.txt`);
  const render = (file: string, html: boolean, extra: TemplateView = {}) =>
    renderTemplate(source(file), { ...view, ...extra }, { html, templateName: file });
  const domain = mailDomain(context.mailFrom);
  return {
    subject: renderTemplate(subject, view, { html: false, templateName: `${notice.kind}.txt (subject)` }).trim(),
    text: normaliseText(
      render('_layout.txt', false, {
        content: renderTemplate(body, view, { html: false, templateName: `${notice.kind}.txt` }).trim(),
      }),
    ),
    html: render('_layout.html', true, { content: render(`${notice.kind}.html`, true) }),
    messageId: noticeMessageId(notice.id, context.mailFrom),
    references: `<${sha256(notice.ref)}@complaints.${domain}>`,
    date: new Date(notice.occurredAt),
    headers: {
      // RFC 3834: automatic messages; out-of-office replies are not sent back to them.
      'Auto-Submitted': 'auto-generated',
      'X-Complaint-Reference': notice.ref,
      'X-Complaint-Notice': notice.id,
    },
  };
}

function splitSubject(source: string, templateName: string): { subject: string; body: string } {
  const match = /^Subject:[ \t]*(.+)\r?\n(?:\r?\n)?/.exec(source);
  if (!match) throw new TemplateError(`${templateName}: the first line must be "Subject: …"`);
  return { subject: match[1]!, body: source.slice(match[0].length) };
}

/** At most one blank line in a row, and a final newline. */
function normaliseText(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim()}\n`;
}

// ------------------------------------------------------------------------------------------------ the view

/** A notice's text as a printed letter says it (no e-mail layout): its subject line and its body. */
export function letterText(
  notice: Notice,
  context: { directory: StaffDirectory; templates: NoticeTemplates },
): { subject: string; body: string } {
  const recipients: NoticeRecipients = { to: [], cc: [], greeting: notice.complainant.name };
  const view = noticeView(notice, recipients, context.directory, { byPost: true });
  const file = `${notice.kind}.txt`;
  const { subject, body } = splitSubject(context.templates.sources.get(file) ?? '', file);
  return {
    subject: renderTemplate(subject, view, { html: false, templateName: `${file} (subject)` }).trim(),
    body: normaliseText(renderTemplate(body, view, { html: false, templateName: file })),
  };
}

/** Everything a template may print. Every key is always present (null when it does not apply). */
export function noticeView(
  notice: Notice,
  recipients: NoticeRecipients,
  directory: StaffDirectory,
  delivery: { byPost?: boolean } = {},
): TemplateView {
  const team = directory.serviceAreas[notice.serviceArea];
  const byPost = delivery.byPost === true;
  const { organisation } = directory;
  const due = notice.dueAt ? Date.parse(notice.dueAt) : undefined;
  return {
    ref: notice.ref,
    kind: notice.kind,
    greeting: recipients.greeting,
    staff: notice.audience === 'staff',
    stageName: notice.stage.name,
    procedureName: notice.procedure.name,
    serviceAreaName: serviceAreaWords[notice.serviceArea].title,
    serviceAreaPhrase: serviceAreaWords[notice.serviceArea].phrase,
    summary: notice.summary,
    complainantName: notice.complainant.name,
    caseOfficerName: notice.caseOfficer ? (notice.caseOfficer.name ?? notice.caseOfficer.id) : null,
    copiedTo: recipients.cc.map((mailbox) => mailbox.name ?? mailbox.address).join(', ') || null,
    sentToTeam: recipients.to.some((mailbox) => mailbox.address === team?.mailbox),
    teamName: team?.name ?? null,
    teamMailbox: team?.mailbox ?? null,
    organisationName: organisation.name,
    organisationPhone: organisation.phone ?? null,
    organisationWebsite: organisation.website ?? null,
    occurredDate: ukDate(Date.parse(notice.occurredAt)),
    deadlineAction: notice.deadline ? deadlineWords[notice.deadline].action : null,
    dueDate: due !== undefined ? ukDate(due) : null,
    dueTime: due !== undefined ? ukTime(due) : null,
    timeLeft: due !== undefined ? timeBetween(Date.parse(notice.occurredAt), due) : null,
    dueAtExplained: notice.dueAtExplained ?? null,
    outcome: notice.outcome ? standingWords[notice.outcome].phrase : null,
    findings: notice.findings ?? null,
    actionsTaken: notice.actionsTaken ?? null,
    escalation:
      notice.nextStep?.kind === 'escalate'
        ? {
            stageName: notice.nextStep.stage.name,
            byDate: ukDate(Date.parse(notice.nextStep.byAt)),
            bypassName: notice.nextStep.bypass?.name ?? null,
          }
        : null,
    ombudsman:
      notice.nextStep?.kind === 'ombudsman'
        ? {
            name: notice.nextStep.name,
            byDate: ukDate(Date.parse(notice.nextStep.byAt)),
            website: organisation.ombudsmanWebsite,
          }
        : null,
    finalResponse: !notice.nextStep,
    byPost,
    contactUs: byPost
      ? `write to us or telephone us${organisation.phone ? ` on ${organisation.phone}` : ''}`
      : 'reply to this e-mail',
    escalatedFromName: notice.escalatedFrom?.name ?? null,
    // How the complaint reached this stage: passed on without an outcome, past a stage skipped, or asked for.
    movedFrom: notice.escalatedFrom
      ? {
          name: notice.escalatedFrom.name,
          passedOn: notice.escalatedFrom.withoutOutcome === true,
          bypassedName: notice.escalatedFrom.bypassed?.name ?? null,
          asked: !notice.escalatedFrom.withoutOutcome && !notice.escalatedFrom.bypassed,
        }
      : null,
    previousDueDate: notice.previousDueAt ? ukDate(Date.parse(notice.previousDueAt)) : null,
    previousProcedureName: notice.previousProcedureName ?? null,
    ombudsmanReference: notice.ombudsmanReference ?? null,
    letterId: notice.letterId ?? null,
    improvementActionId: notice.improvementAction?.id ?? null,
    improvementWhat: notice.improvementAction?.what ?? null,
    improvementDueToday: notice.improvementAction?.reminder === 'due',
  };
}

const dateParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: COUNCIL_TIME_ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
});
const timeFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: COUNCIL_TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** "Friday 27 March 2026": the date in the council's time zone (Europe/London). */
export function ukDate(epochMs: number): string {
  const parts = Object.fromEntries(dateParts.formatToParts(new Date(epochMs)).map((part) => [part.type, part.value]));
  return `${parts.weekday} ${parts.day} ${parts.month} ${parts.year}`;
}

/** "14:30", 24-hour clock, Europe/London (GMT or BST as the date requires). */
export function ukTime(epochMs: number): string {
  return timeFormat.format(new Date(epochMs));
}

/** "3 days", "1 day and 4 hours", "5 hours": from an event to a deadline; null once it has passed. */
export function timeBetween(fromMs: number, toMs: number): string | null {
  const hours = Math.round((toMs - fromMs) / 3_600_000);
  if (hours <= 0) return null;
  const days = Math.floor(hours / 24);
  const rest = hours % 24;
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (days === 0) return plural(rest, 'hour');
  return rest === 0 ? plural(days, 'day') : `${plural(days, 'day')} and ${plural(rest, 'hour')}`;
}
