// The load against the cluster, through the HTTP API as clients make it (http.ts: Idempotency-Key, the same key and
// body again after a 5xx or no answer): N complaints, `concurrency` at a time, each taken in, acknowledged, given a
// note, then given an outcome (every fifth withdrawn instead). When a third of them have been taken in, one server
// process is SIGKILLed while requests are in flight; 20 s later it is started again and rejoins. Afterwards:
// - every complaint answered 201 exists, and Temporal has no complaint that no 201 answered (none made twice);
// - every action answered 200 is in its complaint's timeline exactly once (lost: 0 times; duplicated: more);
// - the register equals Temporal entry for entry (register/reconcile.ts, as `npm run reconcile` compares them).
import { performance } from 'node:perf_hooks';
import type { ComplaintState } from '../../domain/complaint';
import type { Difference } from '../../register/reconcile';
import { intakeBody } from '../../tests/support/api';
import { COMPLAINT_WORKFLOW_TYPE } from '../../workflows/start-options';
import { type App, auth, type PersonKey } from './app';
import type { Cluster } from './cluster';
import { type Answer, send } from './http';
import { registerReport } from './smoke';

export type Step = 'intake' | 'acknowledge' | 'note' | 'outcome' | 'withdraw';
const EVENT_OF: Record<Exclude<Step, 'intake'>, string> = {
  acknowledge: 'acknowledged',
  note: 'note-added',
  outcome: 'outcome-recorded',
  withdraw: 'withdrawn',
};

interface Sent {
  step: Step;
  answer: Answer;
  /** Load-relative ms when the request was first sent. */
  sentAt: number;
}

interface Driven {
  index: number;
  ref?: string;
  sent: Sent[];
}

export interface FaultRecord {
  what: string;
  atSeconds: number;
  /** For a restart: seconds until the process answered again. */
  tookSeconds?: number;
}

export interface LoadResult {
  complaints: number;
  concurrency: number;
  seconds: number;
  faults: FaultRecord[];
  steps: Record<
    Step,
    { sent: number; ok: number; failed: number; retried: number; answered5xx: number; noAnswer: number; ms: number[] }
  >;
  /** Complaints answered 201 that Temporal does not have. */
  complaintsLost: number;
  /** Complaints in Temporal beyond those answered 201 (the smoke check's included and subtracted). */
  complaintsExtra: number;
  /** Actions answered 200 whose event is missing, or there more than once. */
  actionsLost: number;
  actionsDuplicated: number;
  /** The register against Temporal. */
  registerChecked: number;
  entriesLost: number;
  entriesDuplicatedOrDifferent: number;
  registerDifferences: Difference[];
  unreadable: number;
  temporalEntries: number;
  passed: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function drive(app: App, one: Driven, t0: number): Promise<void> {
  const post = async (step: Step, path: string, who: PersonKey, body: unknown) => {
    const sentAt = performance.now() - t0;
    const answer = await send('POST', `${app.apiUrl}${path}`, auth(app, who), body);
    one.sent.push({ step, answer, sentAt });
    return answer;
  };
  const intake = await post('intake', '/complaints', 'intake', intakeBody());
  if (intake.status !== 201) return;
  const ref = (intake.body as ComplaintState).ref;
  one.ref = ref;
  if ((await post('acknowledge', `/complaints/${ref}/acknowledge`, 'officer', {})).status !== 200) return;
  if ((await post('note', `/complaints/${ref}/notes`, 'officer', { text: `Load note ${one.index}` })).status !== 200)
    return;
  if (one.index % 5 === 0) await post('withdraw', `/complaints/${ref}/withdraw`, 'officer', { reason: 'Load' });
  else await post('outcome', `/complaints/${ref}/outcome`, 'officer', { outcome: 'upheld' });
}

/** SIGKILL process 1 once `killAfter` complaints are in, then start it again 20 s later. */
function faultPlan(cluster: Cluster, driven: Driven[], killAfter: number, t0: number, say: (m: string) => void) {
  const faults: FaultRecord[] = [];
  let stop = false;
  const done = (async () => {
    while (!stop && driven.filter((d) => d.ref).length < killAfter) await sleep(100);
    if (stop) return;
    const node = cluster.nodes[0]!;
    faults.push({
      what: `SIGKILL ${node.name} (frontend, history, matching, worker)`,
      atSeconds: (performance.now() - t0) / 1000,
    });
    say(`load: SIGKILL ${node.name} with ${killAfter} complaints in`);
    await cluster.killNode(0);
    await sleep(20_000);
    const atSeconds = (performance.now() - t0) / 1000;
    const tookSeconds = await cluster.restartNode(0);
    faults.push({ what: `restart ${node.name} (rejoins the cluster)`, atSeconds, tookSeconds });
    say(`load: ${node.name} restarted, answering after ${tookSeconds.toFixed(1)} s`);
  })();
  return { faults, finished: () => ((stop = true), done) };
}

export async function runLoad(
  cluster: Cluster,
  app: App,
  options: { complaints: number; concurrency: number; say: (m: string) => void },
): Promise<LoadResult> {
  const { complaints, concurrency, say } = options;
  const driven: Driven[] = Array.from({ length: complaints }, (_, index) => ({ index, sent: [] }));
  const t0 = performance.now();
  const plan = faultPlan(cluster, driven, Math.ceil(complaints / 3), t0, say);
  let next = 0;
  let finished = 0;
  const progress = setInterval(() => say(`load: ${finished}/${complaints} complaints driven`), 15_000);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < complaints) {
        const one = driven[next++]!;
        await drive(app, one, t0);
        finished += 1;
      }
    }),
  );
  clearInterval(progress);
  const seconds = (performance.now() - t0) / 1000;
  await plan.finished();
  say(`load: ${complaints} complaints driven in ${seconds.toFixed(1)} s; checking Temporal and the register`);
  return {
    ...(await verify(app, driven)),
    complaints,
    concurrency,
    seconds,
    faults: plan.faults,
    steps: stepFigures(driven),
  };
}

function stepFigures(driven: Driven[]): LoadResult['steps'] {
  const steps = Object.fromEntries(
    (['intake', 'acknowledge', 'note', 'outcome', 'withdraw'] as const).map((s) => [
      s,
      { sent: 0, ok: 0, failed: 0, retried: 0, answered5xx: 0, noAnswer: 0, ms: [] as number[] },
    ]),
  ) as LoadResult['steps'];
  for (const { sent } of driven)
    for (const { step, answer } of sent) {
      const figure = steps[step];
      figure.sent += 1;
      if (answer.status >= 200 && answer.status < 300) figure.ok += 1;
      else figure.failed += 1;
      if (answer.tries > 1) figure.retried += 1;
      figure.answered5xx += answer.answered5xx;
      figure.noAnswer += answer.noAnswer;
      figure.ms.push(answer.ms);
    }
  return steps;
}

async function countComplaintWorkflows(app: App): Promise<number> {
  const query = `WorkflowType = '${COMPLAINT_WORKFLOW_TYPE}' AND ExecutionStatus != 'ContinuedAsNew'`;
  let count = 0;
  for await (const _ of app.client.workflow.list({ query })) count += 1;
  return count;
}

type Verified = Omit<LoadResult, 'complaints' | 'concurrency' | 'seconds' | 'faults' | 'steps'>;

async function verify(app: App, driven: Driven[]): Promise<Verified> {
  const refs = driven.flatMap((d) => (d.ref ? [d.ref] : []));
  let complaintsLost = 0;
  let actionsLost = 0;
  let actionsDuplicated = 0;
  let temporalEntries = 0;
  for (const one of driven) {
    if (!one.ref) continue;
    const read = await send('GET', `${app.apiUrl}/complaints/${one.ref}`, auth(app, 'officer'));
    if (read.status !== 200) {
      complaintsLost += 1;
      continue;
    }
    const timeline = (read.body as ComplaintState).timeline;
    temporalEntries += timeline.length;
    for (const { step, answer } of one.sent) {
      if (step === 'intake' || answer.status !== 200) continue;
      const found = timeline.filter(
        (e) =>
          e.type === EVENT_OF[step] && (step !== 'note' || (e as { text?: string }).text === `Load note ${one.index}`),
      ).length;
      if (found === 0) actionsLost += 1;
      if (found > 1) actionsDuplicated += 1;
    }
  }
  // The smoke check's two complaints are in Temporal too.
  const complaintsExtra = (await countComplaintWorkflows(app)) - 2 - (refs.length - complaintsLost);
  const report = await registerReport(app, refs);
  const kinds = (...k: Difference['kind'][]) => report.differences.filter((d) => k.includes(d.kind)).length;
  const verified = {
    complaintsLost,
    complaintsExtra,
    actionsLost,
    actionsDuplicated,
    registerChecked: report.checked,
    entriesLost: kinds('missing'),
    entriesDuplicatedOrDifferent: kinds('extra', 'different', 'not-in-temporal'),
    registerDifferences: report.differences,
    unreadable: report.unreadable.length,
    temporalEntries,
  };
  const everyAnswer2xx = driven.every((d) => d.sent.every((s) => s.answer.status >= 200 && s.answer.status < 300));
  const clean =
    complaintsLost +
      complaintsExtra +
      actionsLost +
      actionsDuplicated +
      report.differences.length +
      report.unreadable.length ===
    0;
  return { ...verified, passed: everyAnswer2xx && clean && refs.length === driven.length };
}
