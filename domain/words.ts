import type { Standing } from './annual-report';
import type { ClosureReason, DeadlineKind } from './complaint';
import type { DeadlineMode } from './complaint-state';
import type { Category, Channel, ComplaintStatus, ServiceArea } from './vocabulary';

// How the domain's terms are written, in one table, for everything people read: the annual report, the letters and
// staff notices, the staff directory's team names and the audit timeline. Each term has every form its uses need,
// and the `satisfies` clauses make a new enum value without its words a type error. Names that belong to a
// procedure (the procedure's, its stages', the Ombudsman's) are not here: they come from the procedure data
// (domain/procedures/*). Zod-free and data only, so that workflow code (notices) may load it.

export interface Words {
  /** Standing alone: a heading, a table row, a chart label, a field of a notice ("Children's Services"). */
  title: string;
  /** Inside a sentence ("24 Children's Services complaints", "complaints about staff attitude"). */
  phrase: string;
}

/**
 * The service areas as the council's 2011 Customer Care Officer Report names them (the annual report follows it):
 * the three services are proper names, capitalised in running text too; "general" is no service of that name, so
 * it is "General Social Work" on its own and "general social work" in a sentence. The staff directory's team
 * names and the letters use the same words ("Criminal Justice Services complaints team").
 */
export const serviceAreaWords = {
  'community-care': { title: 'Community Care', phrase: 'Community Care' },
  'childrens-services': { title: "Children's Services", phrase: "Children's Services" },
  'criminal-justice': { title: 'Criminal Justice Services', phrase: 'Criminal Justice Services' },
  general: { title: 'General Social Work', phrase: 'general social work' },
} as const satisfies Record<ServiceArea, Words>;

export const categoryWords = {
  'staff-attitude': { title: 'Staff attitude', phrase: 'staff attitude' },
  'service-standards': { title: 'Service standards', phrase: 'service standards' },
  communication: { title: 'Communication', phrase: 'communication' },
  delay: { title: 'Delay', phrase: 'delay' },
  decision: { title: 'Decisions', phrase: 'decisions' },
  other: { title: 'Other matters', phrase: 'other matters' },
} as const satisfies Record<Category, Words>;

/** `received`: how a complaint came in, after "received" ("received by letter", "received in person"). */
export const channelWords = {
  letter: { title: 'Letter', phrase: 'letter', received: 'by letter' },
  email: { title: 'E-mail', phrase: 'e-mail', received: 'by e-mail' },
  phone: { title: 'Telephone', phrase: 'telephone', received: 'by telephone' },
  'in-person': { title: 'In person', phrase: 'in person', received: 'in person' },
  'web-form': { title: 'Web form', phrase: 'web form', received: 'through the web form' },
} as const satisfies Record<Channel, Words & { received: string }>;

/** Outcomes, and where a complaint stands in the report when it has none ("ongoing", "withdrawn"). */
export const standingWords = {
  upheld: { title: 'Upheld', phrase: 'upheld' },
  'partially-upheld': { title: 'Partially upheld', phrase: 'partially upheld' },
  'not-upheld': { title: 'Not upheld', phrase: 'not upheld' },
  resolved: { title: 'Resolved', phrase: 'resolved' },
  ongoing: { title: 'Ongoing', phrase: 'ongoing' },
  withdrawn: { title: 'Withdrawn', phrase: 'withdrawn' },
} as const satisfies Record<Standing, Words>;

export const statusWords = {
  open: { title: 'Open', phrase: 'open' },
  'awaiting-escalation': { title: 'Awaiting escalation', phrase: 'awaiting escalation' },
  closed: { title: 'Closed', phrase: 'closed' },
  withdrawn: { title: 'Withdrawn', phrase: 'withdrawn' },
} as const satisfies Record<ComplaintStatus, Words>;

export const closureReasonWords = {
  'final-outcome': { title: 'Final outcome', phrase: 'final outcome' },
  'escalation-window-ended': { title: 'Escalation window ended', phrase: 'escalation window ended' },
  'referral-window-ended': { title: 'Referral window ended', phrase: 'referral window ended' },
  'referred-to-ombudsman': { title: 'Referred to the Ombudsman', phrase: 'referred to the Ombudsman' },
} as const satisfies Record<ClosureReason, Words>;

/** `action`: what meets the deadline, after "to" ("to acknowledge the complaint"). */
export const deadlineWords = {
  acknowledgement: { title: 'Acknowledgement', phrase: 'acknowledgement', action: 'acknowledge the complaint' },
  response: { title: 'Response', phrase: 'response', action: 'send the response' },
} as const satisfies Record<DeadlineKind, Words & { action: string }>;

/** What a move to another procedure did with the stage's pending deadlines (timeline, letters). */
export const deadlineModeWords = {
  kept: { title: 'Deadlines kept', phrase: 'its deadlines kept as they were' },
  afresh: { title: 'Deadlines counted afresh', phrase: 'its deadlines counted afresh from the day of the move' },
} as const satisfies Record<DeadlineMode, Words>;

/** The service areas, categories and standings in the order the tables list them. */
export const keysOf = <K extends string>(table: Record<K, unknown>): K[] => Object.keys(table) as K[];
