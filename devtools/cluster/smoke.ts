// The smoke check, before the drill: a complaint is taken in through the API, one server process is SIGKILLed, and
// the complaint still progresses (acknowledged, a note) through the other; a second complaint is taken in while
// that process is dead; the register holds both as Temporal does (register/reconcile.ts). Then the process is
// started again and rejoins. Requests as the drill makes them (Idempotency-Key, the same key and body again after a
// 5xx or no answer: devtools/fault-drill/http.ts).
import { performance } from 'node:perf_hooks';
import type { ComplaintState } from '../../domain/complaint';
import { reconcile } from '../../register/reconcile';
import { intakeBody } from '../../tests/support/api';
import { postWithRetries } from '../fault-drill';
import { type App, auth } from './app';
import type { Cluster } from './cluster';

export interface SmokeResult {
  killed: string;
  /** From the SIGKILL to the acknowledgement answered 200, and its tries. */
  acknowledgeAfterKillMs: number;
  acknowledgeTries: number;
  intakeWhileDeadMs: number;
  restartSeconds: number;
  registerDifferences: number;
}

async function post(app: App, path: string, who: 'intake' | 'officer', body: unknown, want: number) {
  const answer = await postWithRetries(`${app.apiUrl}${path}`, auth(app, who), body);
  if (answer.status !== want)
    throw new Error(`smoke: POST ${path} answered ${answer.status}, not ${want}: ${JSON.stringify(answer.body)}`);
  return answer;
}

// Named, because the procedure schedule gives complaints received today the 2020 procedure, whose frontline stage
// has no acknowledgement step: the check acknowledges, as the 2011 procedure asks.
const smokeIntake = () => ({ ...intakeBody(), procedure: { id: 'dundee-swd-2011', version: 1 } });

export async function smokeCheck(cluster: Cluster, app: App, say: (m: string) => void): Promise<SmokeResult> {
  const first = await post(app, '/complaints', 'intake', smokeIntake(), 201);
  const ref = (first.body as ComplaintState).ref;
  const killed = cluster.nodes[0]!.name;
  say(`smoke: ${ref} taken in; SIGKILL ${killed}`);

  const killedAt = performance.now();
  await cluster.killNode(0);
  const ack = await post(app, `/complaints/${ref}/acknowledge`, 'officer', {}, 200);
  const acknowledgeAfterKillMs = performance.now() - killedAt;
  await post(app, `/complaints/${ref}/notes`, 'officer', { text: 'Smoke note' }, 200);
  const intakeStarted = performance.now();
  const second = await post(app, '/complaints', 'intake', smokeIntake(), 201);
  const intakeWhileDeadMs = performance.now() - intakeStarted;
  const secondRef = (second.body as ComplaintState).ref;
  say(`smoke: acknowledged ${(acknowledgeAfterKillMs / 1000).toFixed(1)} s after the kill; ${secondRef} taken in`);

  const read = await fetch(`${app.apiUrl}/complaints/${ref}`, { headers: auth(app, 'officer') });
  const types = ((await read.json()) as ComplaintState).timeline.map((e) => e.type);
  const count = (type: string) => types.filter((t) => t === type).length;
  if (read.status !== 200 || count('acknowledged') !== 1 || count('note-added') !== 1)
    throw new Error(`smoke: ${ref} read ${read.status}, its timeline ${types.join(', ')}`);

  const restartSeconds = await cluster.restartNode(0);
  say(`smoke: ${killed} restarted and answering in ${restartSeconds.toFixed(1)} s`);
  const registerDifferences = await settledDifferences(app, [ref, secondRef]);
  if (registerDifferences > 0) throw new Error(`smoke: the register differs from Temporal (${registerDifferences})`);
  return {
    killed,
    acknowledgeAfterKillMs,
    acknowledgeTries: ack.tries,
    intakeWhileDeadMs,
    restartSeconds,
    registerDifferences,
  };
}

/** The register against Temporal for `refs`, asked again for up to a minute: a last batch may still be on its way. */
async function settledDifferences(app: App, refs: readonly string[]): Promise<number> {
  const deadline = performance.now() + 60_000;
  for (;;) {
    const report = await reconcile(app.client, app.register, { refs });
    const count = report.differences.length + report.unreadable.length;
    if (count === 0 || performance.now() > deadline) return count;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}
