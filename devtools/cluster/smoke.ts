// The smoke check: a complaint is taken in through the API, one server process is SIGKILLed, and the complaint still
// progresses (acknowledged, a note) through the other; a second complaint is taken in while that process is dead;
// the register holds both as Temporal does. Then the process is started again and rejoins.
import { performance } from 'node:perf_hooks';
import type { ComplaintState } from '../../domain/complaint';
import { type ReconcileReport, reconcile } from '../../register/reconcile';
import { intakeBody } from '../../tests/support/api';
import { type App, auth } from './app';
import type { Cluster } from './cluster';
import { send } from './http';

export interface SmokeResult {
  killed: string;
  /** From the SIGKILL to the acknowledgement answered 200 (its tries and 5xx answers on the way). */
  acknowledgeAfterKillMs: number;
  acknowledgeTries: number;
  intakeWhileDeadMs: number;
  restartSeconds: number;
  registerDifferences: number;
}

function expectStatus(what: string, status: number, want: number, body: unknown): void {
  if (status !== want) throw new Error(`smoke: ${what} answered ${status}, not ${want}: ${JSON.stringify(body)}`);
}

export async function smokeCheck(cluster: Cluster, app: App, say: (m: string) => void): Promise<SmokeResult> {
  const url = (p: string) => `${app.apiUrl}${p}`;
  const first = await send('POST', url('/complaints'), auth(app, 'intake'), intakeBody());
  expectStatus('intake', first.status, 201, first.body);
  const ref = (first.body as ComplaintState).ref;
  say(`smoke: ${ref} taken in; SIGKILL ${cluster.nodes[0]!.name}`);

  const killedAt = performance.now();
  await cluster.killNode(0);
  const ack = await send('POST', url(`/complaints/${ref}/acknowledge`), auth(app, 'officer'), {});
  expectStatus('acknowledge after the kill', ack.status, 200, ack.body);
  const note = await send('POST', url(`/complaints/${ref}/notes`), auth(app, 'officer'), { text: 'Smoke note' });
  expectStatus('note after the kill', note.status, 200, note.body);
  const second = await send('POST', url('/complaints'), auth(app, 'intake'), intakeBody());
  expectStatus('intake while a process is dead', second.status, 201, second.body);
  const secondRef = (second.body as ComplaintState).ref;
  say(
    `smoke: acknowledged after ${((ack.at - killedAt) / 1000).toFixed(1)} s (${ack.tries} tries); ${secondRef} taken in`,
  );

  const read = await send('GET', url(`/complaints/${ref}`), auth(app, 'officer'));
  expectStatus('read', read.status, 200, read.body);
  const types = (read.body as ComplaintState).timeline.map((e) => e.type);
  const count = (type: string) => types.filter((t) => t === type).length;
  if (count('acknowledged') !== 1 || count('note-added') !== 1)
    throw new Error(`smoke: ${ref}'s timeline is ${types.join(', ')}`);

  const restartSeconds = await cluster.restartNode(0);
  say(`smoke: ${cluster.nodes[0]!.name} restarted and answering in ${restartSeconds.toFixed(1)} s`);
  const differences = await registerDifferences(app, [ref, secondRef]);
  if (differences > 0) throw new Error(`smoke: the register differs from Temporal (${differences} differences)`);
  return {
    killed: cluster.nodes[0]!.name,
    acknowledgeAfterKillMs: ack.at - killedAt,
    acknowledgeTries: ack.tries,
    intakeWhileDeadMs: second.ms,
    restartSeconds,
    registerDifferences: differences,
  };
}

/**
 * The register against Temporal for `refs` (register/reconcile.ts, as `npm run reconcile` runs it, without repair),
 * asked again for up to `settleMs` while differences remain: a complaint's last batch may still be on its way.
 */
export async function registerReport(app: App, refs: readonly string[], settleMs = 60_000): Promise<ReconcileReport> {
  const deadline = performance.now() + settleMs;
  for (;;) {
    const report = await reconcile(app.client, app.register, { refs });
    const count = report.differences.length + report.unreadable.length;
    if (count === 0 || performance.now() > deadline) return report;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

async function registerDifferences(app: App, refs: readonly string[]): Promise<number> {
  const report = await registerReport(app, refs);
  return report.differences.length + report.unreadable.length;
}
