// The fault suite (issue 18), on the CLI dev server with its state in a file, the real worker and API as child
// processes and the register shared on disk (devtools/fault-drill/local-stack.ts): 300 complaints driven through
// the API while the worker is SIGKILLed twice and the Temporal server once, mid-action; then the drill's checks
// (devtools/fault-drill/drill.ts): nothing lost, nothing doubled, the register equal to Temporal entry for entry,
// each e-mail once, and the reminders of the complaints left unacknowledged fired after the faults.
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFaultDrill, startLocalStack, type LocalStack } from '../../devtools/fault-drill';
import { TestMailServer } from '../support/mail-server';

const COMPLAINTS = Number(process.env.FAULT_DRILL_COMPLAINTS ?? 300);

let stack: LocalStack;
const mail = new TestMailServer();
let failed = false;
// SMTP down for a while, then back: the notices retry (activity backoff) and each arrives once.
const smtp = { name: 'smtp', kill: () => mail.refuseConnections(), restart: () => mail.resume() };

beforeAll(async () => {
  await mail.start();
  stack = await startLocalStack({ smtpUrl: mail.url });
  stack.target.mail = {
    deliveries: () => mail.transactions.map((m) => ({ messageId: m.messageId, atMs: m.receivedAtMs })),
  };
}, 120_000);

afterAll(async () => {
  await stack?.stop({ keep: failed });
  await mail.stop();
});

describe('the fault drill on the dev server', () => {
  it('loses and doubles nothing when the worker is killed twice, SMTP is down a while and the Temporal server is killed once, mid-action', async () => {
    const lines: string[] = [];
    failed = true; // until the checks pass: the logs of a run that fails or times out are kept
    const figures = await runFaultDrill(stack.target, {
      complaints: COMPLAINTS,
      concurrency: 24,
      faults: [
        { control: stack.worker, atProgress: 0.15, downMs: 1_000 },
        { control: smtp, atProgress: 0.3, downMs: 6_000 },
        { control: stack.temporal, atProgress: 0.45, downMs: 2_000 },
        { control: stack.worker, atProgress: 0.7, downMs: 1_000 },
      ],
      timerEvery: 10,
      timerLeadMs: 45_000,
      settleTimeoutMs: 120_000,
      log: (line) => {
        const stamped = `${new Date().toISOString().slice(11, 19)} ${line}`;
        lines.push(stamped);
        appendFileSync(path.join(stack.tmp, 'drill.log'), `${stamped}\n`); // kept with the logs of a failed run
      },
    });
    failed = figures.problems.length > 0;
    // FAULT_DRILL_FIGURES=<file>: the figures as JSON, to write down (README, bench/results).
    if (process.env.FAULT_DRILL_FIGURES)
      writeFileSync(process.env.FAULT_DRILL_FIGURES, JSON.stringify(figures, null, 2));
    expect(figures.problems, `${lines.join('\n')}\n${stack.tmp}`).toEqual([]);
    expect(figures.faults.map((f) => f.name)).toEqual(['worker', 'smtp', 'temporal', 'worker']);
    expect(figures.faults.every((f) => f.inFlight > 0)).toBe(true);
    expect(figures.complaintsCreated).toBe(COMPLAINTS);
    expect(figures.lost).toBe(0);
    expect(figures.duplicated).toBe(0);
    expect(figures.registerDifferences).toBe(0);
    expect(figures.repaired).toBe(0);
    expect(figures.emailsDuplicated).toBe(0);
    expect(figures.emailsMissing).toBe(0);
    expect(figures.timersFired).toBe(figures.timersDue);
  }, 1_200_000);
});
