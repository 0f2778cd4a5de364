// `npm run reconcile -- [--ref SW-…]… [--open] [--from D --to D] [--repair] [--json]`
// Compares the register with Temporal (register/reconcile.ts) for the complaints named, the open ones (the default),
// or those received in a period (dates as `npm run report` takes them), and reports every difference: entries
// missing, extra or different (type, time, actor), the row behind. `--repair` rewrites those complaints' register
// timeline and row from Temporal's. Exit status: 0 the register equals Temporal (after the repair), 3 differences
// or unreadable complaints remain, 2 usage, 1 failure. A running complaint's newest entries may still be on their
// way to the register (its batch is being written): such a difference is reported and repaired like any other.
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../platform/config';
import { connectClient } from '../platform/temporal-connection';
import { openRegister } from '../register';
import { reconcile, type ReconcileSelection } from '../register/reconcile';
import { resolvePeriod } from '../report/annual';
import { runCommand } from './command-line';

const USAGE =
  'usage: npm run reconcile -- [--ref <ref>]... [--open] [--from <YYYY-MM-DD|instant> --to <YYYY-MM-DD|instant>] [--repair] [--json]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      ref: { type: 'string', multiple: true },
      open: { type: 'boolean', default: false },
      from: { type: 'string' },
      to: { type: 'string' },
      repair: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if ((values.from === undefined) !== (values.to === undefined)) {
    console.error(`--from and --to go together\n${USAGE}`);
    return 2;
  }
  const selection: ReconcileSelection = {
    ...(values.ref ? { refs: values.ref } : {}),
    ...(values.open ? { open: true } : {}),
    ...(values.from && values.to ? resolvePeriod(values.from, values.to) : {}),
  };
  const config = loadConfigOrExit();
  const register = await openRegister(config);
  try {
    const client = await connectClient(config);
    try {
      const report = await reconcile(client, register, selection, {
        repair: values.repair,
        recordAs: 'command',
        onChecked: values.json
          ? undefined
          : (ref, differences) => {
              for (const d of differences) console.log(`${ref} ${d.kind}${d.seq ? ` #${d.seq}` : ''}: ${d.detail}`);
            },
      });
      if (values.json) console.log(JSON.stringify(report, null, 2));
      else {
        for (const { ref, reason } of report.unreadable) console.log(`${ref} unreadable: ${reason}`);
        const affected = new Set(report.differences.map((d) => d.ref)).size;
        console.log(
          `${report.checked} complaint(s) checked, ${report.differences.length} difference(s) in ${affected}` +
            `${values.repair ? `, ${report.repaired.length} repaired` : ''}, ${report.unreadable.length} unreadable`,
        );
      }
      const repairable = report.differences.filter((d) => d.kind !== 'not-in-temporal');
      const left = values.repair ? report.differences.length - repairable.length : report.differences.length;
      return left > 0 || report.unreadable.length > 0 ? 3 : 0;
    } finally {
      await client.connection.close();
    }
  } finally {
    await register.close();
  }
}

runCommand(main, USAGE);
