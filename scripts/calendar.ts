// `npm run calendar -- --add 2026-12-28 [--add <date>]... [--remove <date>]... [--no-wait] [--actor <id>]`
// A change to the council's calendar (days it closes, days it works after all), told to every open complaint by one
// batch run through Temporal (workflows/calendar-change.ts, run by the worker): each complaint re-times its pending
// deadlines through its update-calendar Update; a deadline met or already passed never moves. The same days are
// the same change (one workflow id), so running the command again while the batch runs follows that batch, and after
// it, answers the same counts without recording anything twice. Prints the counts when done (unless --no-wait).
// Exit status: 0 done, 3 some complaints refused the change, 2 usage, 1 failure.
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../platform/config';
import { calendarChangeStatus, startCalendarChange } from '../platform/calendar-change';
import { connectClient } from '../platform/temporal-connection';
import { runCommand } from './command-line';

const USAGE =
  'usage: npm run calendar -- [--add <YYYY-MM-DD>]... [--remove <YYYY-MM-DD>]... [--no-wait] [--actor <id>]';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      add: { type: 'string', multiple: true, default: [] },
      remove: { type: 'string', multiple: true, default: [] },
      'no-wait': { type: 'boolean', default: false },
      actor: { type: 'string', default: 'system.calendar' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const days = [...values.add, ...values.remove];
  if (days.length === 0 || days.some((day) => !DATE.test(day))) {
    console.error(`give at least one --add or --remove date, as YYYY-MM-DD\n${USAGE}`);
    return 2;
  }
  const config = loadConfigOrExit();
  const client = await connectClient(config);
  try {
    const actor = { id: values.actor, name: 'Council calendar', role: 'manager' };
    const { workflowId } = await startCalendarChange(
      client,
      { add: values.add, remove: values.remove, actor },
      { taskQueue: config.TEMPORAL_TASK_QUEUE },
    );
    console.log(`calendar change ${workflowId} started (or already running)`);
    if (values['no-wait']) return 0;
    for (;;) {
      const { status, progress, result } = await calendarChangeStatus(client, workflowId);
      if (result) {
        console.log(
          `${result.complaints} open complaint(s): ${result.retimed} re-timed, ${result.calendarOnly} calendar updated ` +
            `(no deadline moved), ${result.untouched} untouched, ${result.failed} refused` +
            `${result.failedRefs.length ? ` (${result.failedRefs.join(', ')})` : ''}`,
        );
        return result.failed > 0 ? 3 : 0;
      }
      if (status !== 'RUNNING') throw new Error(`calendar change ${workflowId} ended ${status.toLowerCase()}`);
      if (progress) process.stderr.write(`\r${progress.complaints} complaint(s) done, page ${progress.pages}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  } finally {
    await client.connection.close();
  }
}

runCommand(main, USAGE);
