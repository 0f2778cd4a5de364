// The fault drill (issue 18): N complaints driven concurrently through the real HTTP API while the caller's fault
// controls kill and restart the processes they stand for, then the checks: every complaint answered 2xx exists in
// Temporal, every action answered 2xx is in its timeline exactly once, the register equals Temporal entry for entry
// (register/reconcile.ts, the reconciliation production runs; its repair then finds nothing to repair), no e-mail
// arrived twice and every notice the timelines call for arrived, and the timers of the complaints left
// unacknowledged fired after the faults. It knows nothing of how the processes run: a caller gives it FaultControls
// (a dev server's process, a cluster's server process, an SMTP server, a database) and a plan of when to use them.
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import { applyEvent, replayTimeline, type ComplaintState, type TimelineEntry } from '../../domain/complaint';
import { noticeFor } from '../../domain/notices';
import { getProcedure } from '../../domain/procedures';
import { noticeMessageId } from '../../notifications/messages';
import type { Register } from '../../register';
import { reconcile, temporalState, type Difference } from '../../register/reconcile';
import { COMPLAINT_WORKFLOW_TYPE } from '../../workflows/start-options';
import { type Answer, DEFAULT_RETRY, postWithRetries, type RetryPolicy } from './http';

/** One thing the drill can break: kill() must leave it down (SIGKILL, a refused port), restart() bring it back. */
export interface FaultControl {
  name: string;
  /**
   * Killing it can lose the SMTP server's reply to a message it was sending (it is the process that sends e-mail):
   * that message is sent again, with the same Message-ID. SMTP cannot do better (sent-log.ts); the drill counts
   * such copies apart from the duplicates nothing explains.
   */
  sendsMail?: boolean;
  kill(): Promise<void>;
  /** Resolves once it is back (ready to serve). */
  restart(): Promise<void>;
}

export interface FaultStep {
  control: FaultControl;
  /** Strikes once this share (0..1) of the drill's requests have been answered. */
  atProgress: number;
  /** How long it stays down before restart() (real time). */
  downMs: number;
}

export interface DrillTarget {
  /** The HTTP API, e.g. http://127.0.0.1:3000. */
  apiUrl: string;
  /** Bearer tokens of an intake clerk, a case officer and a manager. */
  tokens: { intake: string; officer: string; manager: string };
  /** The case officer the manager assigns (the officer token's person). */
  officer: { id: string; name: string };
  /** Temporal, for the checks (the same namespace the API uses). */
  temporal: Client;
  /** The register the worker writes, for the checks. */
  register: Register;
  /** What the SMTP server received (one per SMTP transaction, when it took it in); omitted: e-mail is not checked. */
  mail?: { deliveries(): Array<{ messageId: string; atMs: number }> };
  /** The worker's MAIL_FROM (it names the Message-IDs); default complaints@localhost. */
  mailFrom?: string;
}

export interface DrillOptions {
  complaints: number;
  /** Complaints in flight at once (each goes through its requests one after another). */
  concurrency: number;
  faults: FaultStep[];
  /** Every `timerEvery`-th complaint is left unacknowledged, its acknowledgement reminder due `timerLeadMs` after the drill starts. */
  timerEvery: number;
  timerLeadMs: number;
  /** How long the settle may wait for the register, the e-mail and the timers to catch up. */
  settleTimeoutMs: number;
  retry?: RetryPolicy;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface FaultRecord {
  name: string;
  /** When it was killed (epoch ms). */
  killedAtMs: number;
  sendsMail: boolean;
  /** Requests answered, and in flight, when it struck. */
  answeredBefore: number;
  inFlight: number;
  downMs: number;
  /** restart() until it was back. */
  restartMs: number;
}

export interface DrillFigures {
  complaints: number;
  /** Intakes answered 2xx. */
  complaintsCreated: number;
  /** Actions sent (intakes not counted), and those answered 2xx. */
  actions: number;
  actionsAnswered2xx: number;
  /** Final answers by status (0: no answer within the request's deadline). */
  finalStatuses: Record<string, number>;
  /** Tries answered 5xx, tries without an answer, and retries made (tries beyond the first). */
  answered5xx: number;
  /** The 5xx answers by error code. */
  codes5xx: Record<string, number>;
  noAnswer: number;
  retries: number;
  kills: number;
  faults: FaultRecord[];
  /** Complaints answered 2xx that Temporal does not have. */
  complaintsMissing: number;
  /** Complaint workflows started beyond one per intake. */
  complaintsDuplicated: number;
  /** Actions answered 2xx absent from Temporal's timeline, and actions recorded more than once. */
  lost: number;
  duplicated: number;
  /** Timeline entries compared between the register and Temporal, and the differences found after the settle. */
  entriesCompared: number;
  registerDifferences: number;
  differences: Difference[];
  unreadable: number;
  /** Complaints the reconciliation's repair rewrote after the settle (0: nothing to repair). */
  repaired: number;
  /** Complaints the API rewrote from Temporal on an action's answer during the run (read repair: not a problem). */
  readRepairs: number;
  emailsExpected: number;
  emailsReceived: number;
  /** Message-IDs that arrived more than once with nothing to explain it (must be 0). */
  emailsDuplicated: number;
  /** Message-IDs sent again because the sending process was killed between the server taking the first copy and its reply being recorded (the mailbox shows one). */
  emailsResentAfterKill: number;
  emailsMissing: number;
  timersDue: number;
  timersFired: number;
  /** Seconds: traffic (with the faults), settle, and in all. */
  trafficSeconds: number;
  settleSeconds: number;
  elapsedSeconds: number;
  /** What did not hold, one line each (empty: the drill passed). */
  problems: string[];
}

type ActionName = 'acknowledge' | 'add-note' | 'assign' | 'record-outcome' | 'withdraw';
const ACTION_PATHS: Record<ActionName, string> = {
  acknowledge: 'acknowledge',
  'add-note': 'notes',
  assign: 'assign',
  'record-outcome': 'outcome',
  withdraw: 'withdraw',
};

interface SentAction {
  action: ActionName;
  body: Record<string, unknown>;
  answer: Answer;
}

interface DrillComplaint {
  index: number;
  timer: boolean;
  intake?: Answer;
  ref?: string;
  actions: SentAction[];
}

const ok = (status: number) => status >= 200 && status < 300;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DAY_MS = 24 * 60 * 60_000;

export async function runFaultDrill(target: DrillTarget, options: DrillOptions): Promise<DrillFigures> {
  const log = options.log ?? (() => undefined);
  const started = performance.now();
  const startedAtMs = Date.now();
  const run = startedAtMs.toString(36);
  const complaints: DrillComplaint[] = Array.from({ length: options.complaints }, (_, index) => ({
    index,
    timer: index % options.timerEvery === options.timerEvery - 1,
    actions: [],
  }));
  const traffic = new Traffic(target, options.retry ?? DEFAULT_RETRY);
  const totalRequests = complaints.reduce((sum, c) => sum + 1 + plannedActions(c).length, 0);

  const faults: FaultRecord[] = [];
  const faulting = (async () => {
    for (const step of options.faults) {
      while (traffic.answered < step.atProgress * totalRequests && traffic.answered < totalRequests) await sleep(20);
      const record = { name: step.control.name, answeredBefore: traffic.answered, inFlight: traffic.inFlight };
      log(
        `kill ${step.control.name} (${record.answeredBefore}/${totalRequests} answered, ${record.inFlight} in flight)`,
      );
      const killedAtMs = Date.now();
      await step.control.kill();
      await sleep(step.downMs);
      const restarting = performance.now();
      await step.control.restart();
      const restartMs = Math.round(performance.now() - restarting);
      faults.push({
        ...record,
        killedAtMs,
        sendsMail: step.control.sendsMail === true,
        downMs: step.downMs,
        restartMs,
      });
      log(`${step.control.name} back after ${restartMs} ms`);
    }
  })();

  let next = 0;
  const lane = async () => {
    for (let c = complaints[next++]; c; c = complaints[next++])
      await drive(traffic, c, run, startedAtMs, options, target);
  };
  await Promise.all([...Array.from({ length: Math.max(1, options.concurrency) }, lane), faulting]);
  const trafficSeconds = (performance.now() - started) / 1000;
  log(`traffic done in ${trafficSeconds.toFixed(1)} s; settling`);

  const settling = performance.now();
  const figures = await check(target, options, complaints, startedAtMs, faults, log);
  const settleSeconds = (performance.now() - settling) / 1000;
  const all = complaints.flatMap((c) => [...(c.intake ? [c.intake] : []), ...c.actions.map((a) => a.answer)]);
  const finalStatuses: Record<string, number> = {};
  for (const answer of all) finalStatuses[answer.status] = (finalStatuses[answer.status] ?? 0) + 1;
  const actions = complaints.flatMap((c) => c.actions);
  const codes5xx: Record<string, number> = {};
  for (const code of all.flatMap((a) => a.codes5xx)) codes5xx[code] = (codes5xx[code] ?? 0) + 1;
  return {
    complaints: options.complaints,
    complaintsCreated: complaints.filter((c) => c.ref).length,
    actions: actions.length,
    actionsAnswered2xx: actions.filter((a) => ok(a.answer.status)).length,
    finalStatuses,
    answered5xx: all.reduce((sum, a) => sum + a.answered5xx, 0),
    codes5xx,
    noAnswer: all.reduce((sum, a) => sum + a.noAnswer, 0),
    retries: all.reduce((sum, a) => sum + a.tries - 1, 0),
    kills: faults.length,
    faults,
    ...figures,
    trafficSeconds: round(trafficSeconds),
    settleSeconds: round(settleSeconds),
    elapsedSeconds: round((performance.now() - started) / 1000),
  };
}

const round = (seconds: number) => Math.round(seconds * 10) / 10;

/** Counts requests answered and in flight (the fault plan strikes by them). */
class Traffic {
  answered = 0;
  inFlight = 0;
  constructor(
    readonly target: DrillTarget,
    readonly retry: RetryPolicy,
  ) {}

  async post(path: string, who: keyof DrillTarget['tokens'], body: unknown): Promise<Answer> {
    this.inFlight += 1;
    try {
      const headers = { authorization: `Bearer ${this.target.tokens[who]}` };
      return await postWithRetries(`${this.target.apiUrl}${path}`, headers, body, this.retry);
    } finally {
      this.inFlight -= 1;
      this.answered += 1;
    }
  }
}

/** A timer complaint gets a note only (it stays unacknowledged); the others go through to an outcome or a withdrawal. */
function plannedActions(c: DrillComplaint): ActionName[] {
  if (c.timer) return ['add-note'];
  return ['acknowledge', 'add-note', 'assign', c.index % 2 === 0 ? 'record-outcome' : 'withdraw'];
}

function actionBody(action: ActionName, c: DrillComplaint, run: string, target: DrillTarget): Record<string, unknown> {
  switch (action) {
    case 'acknowledge':
      return {};
    case 'add-note':
      return { text: `Fault drill ${run} note for complaint ${c.index}` };
    case 'assign':
      return { officer: target.officer };
    case 'record-outcome':
      return { outcome: 'partially-upheld', findings: `Fault drill ${run}: findings for complaint ${c.index}` };
    case 'withdraw':
      return { reason: `Fault drill ${run}: withdrawn by the complainant` };
  }
}

async function drive(
  traffic: Traffic,
  c: DrillComplaint,
  run: string,
  startedAtMs: number,
  options: DrillOptions,
  target: DrillTarget,
): Promise<void> {
  // A timer complaint was received 4 days ago, less the lead: its acknowledgement is due in a day and the lead, so
  // the reminder 24 hours before falls `timerLeadMs` after the drill began, whatever the faults did meanwhile.
  const receivedAt = c.timer ? new Date(startedAtMs + options.timerLeadMs - 4 * DAY_MS).toISOString() : undefined;
  c.intake = await traffic.post('/complaints', 'intake', {
    complainant: { name: `Drill Complainant ${c.index}`, email: `complainant-${c.index}@example.org` },
    serviceArea: 'community-care',
    category: 'service-standards',
    channel: 'email',
    summary: `Fault drill ${run}, complaint ${c.index}: the home care visits were missed.`,
    ...(receivedAt ? { receivedAt } : {}),
    // The timing above is the 2011 procedure's (acknowledge within 5 calendar days, reminded 24 h before): named, so
    // that the procedure schedule (which gives complaints received now the 2020 procedure) does not change it.
    procedure: { id: 'dundee-swd-2011', version: 1 },
  });
  const ref = (c.intake.body as { ref?: unknown } | undefined)?.ref;
  if (!ok(c.intake.status) || typeof ref !== 'string') return;
  c.ref = ref;
  for (const action of plannedActions(c)) {
    const body = actionBody(action, c, run, target);
    const who = action === 'assign' ? 'manager' : 'officer';
    const answer = await traffic.post(`/complaints/${encodeURIComponent(ref)}/${ACTION_PATHS[action]}`, who, body);
    c.actions.push({ action, body, answer });
  }
}

/** The entries of Temporal's timeline that record `sent` (the note by its text, the others by their type). */
function recordedAs(sent: SentAction, timeline: readonly TimelineEntry[]): number {
  const type = {
    acknowledge: 'acknowledged',
    'add-note': 'note-added',
    assign: 'case-officer-assigned',
    'record-outcome': 'outcome-recorded',
    withdraw: 'withdrawn',
  }[sent.action];
  return timeline.filter((e) => e.type === type && (e.type !== 'note-added' || e.text === sent.body.text)).length;
}

/** The Message-IDs of the notices Temporal's timeline called for (noticeFor, as the workflow decides), less those recorded as failed. */
function expectedMessageIds(state: ComplaintState, mailFrom: string): string[] {
  const procedure = getProcedure(state.procedure);
  const [first, ...rest] = state.timeline;
  if (!first) return [];
  const folded = replayTimeline([first]);
  const ids: string[] = [];
  for (const entry of rest) {
    applyEvent(folded, entry);
    const notice = noticeFor(entry, folded, procedure);
    if (notice) ids.push(notice.id);
  }
  const failed = new Set(state.timeline.flatMap((e) => (e.type === 'notification-failed' ? [e.notice] : [])));
  return ids.filter((id) => !failed.has(id)).map((id) => noticeMessageId(id, mailFrom));
}

interface Truths {
  states: Map<string, ComplaintState | undefined>;
  unreadable: number;
}

/** Each complaint's state from Temporal, its personal fields opened (they are sealed: platform/personal-data.ts). */
async function readTruths(
  client: Client,
  refs: readonly string[],
  personal: Pick<Register['personalData'], 'open'>,
): Promise<Truths> {
  const states = new Map<string, ComplaintState | undefined>();
  let unreadable = 0;
  await Promise.all(
    chunks(refs, 16).map(async (chunk) => {
      for (const ref of chunk) {
        try {
          states.set(ref, await personal.open(await temporalState(client, ref)));
        } catch {
          unreadable += 1;
        }
      }
    }),
  );
  return { states, unreadable };
}

function chunks<T>(items: readonly T[], count: number): T[][] {
  const out: T[][] = Array.from({ length: count }, () => []);
  items.forEach((item, i) => out[i % count]!.push(item));
  return out.filter((chunk) => chunk.length > 0);
}

/** Waits (up to the settle deadline) until the timers have fired and the e-mail has arrived, then checks everything. */
async function check(
  target: DrillTarget,
  options: DrillOptions,
  complaints: DrillComplaint[],
  startedAtMs: number,
  faults: readonly FaultRecord[],
  log: (line: string) => void,
) {
  // The settle's time counts from when the last timer is due, not from the end of the traffic: a short drill must
  // not spend its settle waiting for the reminders' due time and leave them seconds to fire (one of 30 missed so).
  const deadline = Math.max(Date.now(), startedAtMs + options.timerLeadMs) + options.settleTimeoutMs;
  const refs = complaints.flatMap((c) => (c.ref ? [c.ref] : []));
  const timerRefs = complaints.filter((c) => c.timer && c.ref).map((c) => c.ref!);
  const mailFrom = target.mailFrom ?? 'complaints@localhost';
  const received = () => new Set(target.mail?.deliveries().map((d) => d.messageId) ?? []);

  // Settled: every timer due has fired, every notice the timelines call for has arrived, the register equals Temporal.
  await sleep(Math.max(0, startedAtMs + options.timerLeadMs - Date.now()));
  let truths = await readTruths(target.temporal, refs, target.register.personalData);
  let report = await reconcile(target.temporal, target.register, { refs });
  for (;;) {
    const fired = timerRefs.filter((ref) => hasReminder(truths.states.get(ref))).length;
    const expected = [...truths.states.values()].flatMap((s) => (s ? expectedMessageIds(s, mailFrom) : []));
    const have = received();
    const mailMissing = target.mail ? expected.filter((id) => !have.has(id)).length : 0;
    const settled = fired === timerRefs.length && mailMissing === 0 && report.differences.length === 0;
    if (settled || Date.now() > deadline) break;
    log(
      `settling: timers ${fired}/${timerRefs.length}, e-mails missing ${mailMissing}, register differences ${report.differences.length}`,
    );
    await sleep(1_000);
    truths = await readTruths(target.temporal, refs, target.register.personalData);
    report = await reconcile(target.temporal, target.register, { refs });
  }
  // The reconciliation as production runs it, with its repair: after the settle it must find nothing to repair.
  const repair = await reconcile(target.temporal, target.register, { refs }, { repair: true });
  const readRepairs = await readRepairCount(target);
  if (readRepairs > 0) log(`the API repaired ${readRepairs} complaints in the register from Temporal (read repair)`);
  const run = { timerRefs, mailFrom, startedAtMs, faults };
  return { ...(await judge(target, complaints, truths, report.differences, repair, run)), readRepairs };
}

/** Complaints the API rewrote from Temporal on reading them (api/register-repairs.ts), from its /metrics. */
async function readRepairCount(target: DrillTarget): Promise<number> {
  try {
    const response = await fetch(`${target.apiUrl}/metrics`, {
      headers: { authorization: `Bearer ${target.tokens.officer}` },
    });
    const match = /^complaints_register_read_repairs_total (\d+)$/m.exec(await response.text());
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function hasReminder(state: ComplaintState | undefined): boolean {
  return state?.timeline.some((e) => e.type === 'reminder-issued' && e.deadline === 'acknowledgement') ?? false;
}

async function judge(
  target: DrillTarget,
  complaints: DrillComplaint[],
  truths: Truths,
  differences: Difference[],
  repair: Awaited<ReturnType<typeof reconcile>>,
  run: { timerRefs: string[]; mailFrom: string; startedAtMs: number; faults: readonly FaultRecord[] },
) {
  const { timerRefs, mailFrom, startedAtMs } = run;
  const problems: string[] = [];
  let lost = 0;
  let duplicated = 0;
  let complaintsMissing = 0;
  let entriesCompared = 0;
  for (const c of complaints) {
    if (!c.ref) continue;
    const state = truths.states.get(c.ref);
    if (!truths.states.has(c.ref)) continue; // unreadable: counted apart
    if (!state) {
      complaintsMissing += 1;
      problems.push(`${c.ref}: answered ${c.intake?.status} at intake, but Temporal has no such complaint`);
      continue;
    }
    entriesCompared += state.timeline.length;
    for (const sent of c.actions) {
      const times = recordedAs(sent, state.timeline);
      if (times > 1) {
        duplicated += 1;
        problems.push(`${c.ref}: ${sent.action} recorded ${times} times`);
      } else if (times === 0 && ok(sent.answer.status)) {
        lost += 1;
        problems.push(`${c.ref}: ${sent.action} answered ${sent.answer.status} but is not in Temporal's timeline`);
      }
    }
  }
  const complaintsDuplicated = await duplicatedComplaints(target.temporal, complaints, startedAtMs);
  if (complaintsDuplicated > 0) problems.push(`${complaintsDuplicated} complaint workflows more than intakes made`);
  for (const d of differences) problems.push(`register ${d.kind} ${d.ref}${d.seq ? ` seq ${d.seq}` : ''}: ${d.detail}`);
  if (repair.repaired.length > 0) problems.push(`the repair rewrote ${repair.repaired.join(', ')} after the settle`);
  if (truths.unreadable + repair.unreadable.length > 0)
    problems.push(`${truths.unreadable + repair.unreadable.length} complaints could not be read from Temporal`);

  const timersFired = timerRefs.filter((ref) => hasReminder(truths.states.get(ref))).length;
  if (timersFired < timerRefs.length) problems.push(`${timerRefs.length - timersFired} reminders did not fire`);
  const mail = mailFigures(target, truths, mailFrom, run.faults);
  problems.push(...mail.problems);
  return {
    complaintsMissing,
    complaintsDuplicated,
    lost,
    duplicated,
    entriesCompared,
    registerDifferences: differences.length,
    differences,
    unreadable: truths.unreadable + repair.unreadable.length,
    repaired: repair.repaired.length,
    emailsExpected: mail.expected,
    emailsReceived: mail.received,
    emailsDuplicated: mail.duplicated,
    emailsResentAfterKill: mail.resentAfterKill,
    emailsMissing: mail.missing,
    timersDue: timerRefs.length,
    timersFired,
    problems,
  };
}

/**
 * A copy is explained when the sending process was killed at most RESEND_WINDOW_MS after the server took the first
 * copy in (its 250 reply, or the sent log's record of it, lost with the process) and before the copy came.
 */
const RESEND_WINDOW_MS = 5_000;

function mailFigures(target: DrillTarget, truths: Truths, mailFrom: string, faults: readonly FaultRecord[]) {
  const problems: string[] = [];
  if (!target.mail) return { expected: 0, received: 0, duplicated: 0, resentAfterKill: 0, missing: 0, problems };
  const expected = new Set([...truths.states.values()].flatMap((s) => (s ? expectedMessageIds(s, mailFrom) : [])));
  const byId = new Map<string, number[]>();
  for (const { messageId, atMs } of target.mail.deliveries())
    byId.set(messageId, [...(byId.get(messageId) ?? []), atMs]);
  const senderKills = faults.filter((f) => f.sendsMail).map((f) => f.killedAtMs);
  let duplicated = 0;
  let resentAfterKill = 0;
  for (const [id, times] of byId) {
    const sorted = [...times].sort((a, b) => a - b);
    for (let i = 1; i < sorted.length; i++) {
      const [first, copy] = [sorted[i - 1]!, sorted[i]!];
      const explained = senderKills.some((k) => k >= first - 500 && k <= first + RESEND_WINDOW_MS && k <= copy);
      if (explained) resentAfterKill += 1;
      else {
        duplicated += 1;
        problems.push(
          `e-mail ${id} arrived again ${copy - first} ms after its first copy, with no kill of its sender between`,
        );
      }
    }
  }
  const missing = [...expected].filter((id) => !byId.has(id)).length;
  if (missing > 0) problems.push(`${missing} notices never arrived`);
  return { expected: expected.size, received: byId.size, duplicated, resentAfterKill, missing, problems };
}

/** Complaint workflows started since the drill began beyond the complaints whose intake answered (or may have). */
async function duplicatedComplaints(client: Client, complaints: DrillComplaint[], startedAtMs: number) {
  const since = new Date(startedAtMs - 60_000).toISOString();
  const query = `WorkflowType = '${COMPLAINT_WORKFLOW_TYPE}' AND StartTime >= '${since}' AND ExecutionStatus != 'ContinuedAsNew'`;
  const ids = new Set<string>();
  for await (const execution of client.workflow.list({ query })) ids.add(execution.workflowId);
  const mine = complaints.filter((c) => c.ref).map((c) => c.ref!);
  const unanswered = complaints.filter((c) => !c.ref).length;
  const others = [...ids].filter((id) => !mine.includes(id)).length;
  return Math.max(0, others - unanswered);
}
