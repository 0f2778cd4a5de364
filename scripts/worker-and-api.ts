// The worker and the API in one process, over one embedded register (`npm start` with no DATABASE_URL; on its own:
// `npm run worker-and-api`). PGlite is PostgreSQL in WebAssembly inside one process, one opener at a time: when the
// worker and the API ran as two processes they took turns holding its files, each re-opening them (~0.3 s) whenever
// it had work, and an action waited for the lock the other held (bench/README.md, the run of 2026-12-02 15:15). Here
// the register is opened once, by this process, which owns it while it runs (its lock names it, so `npm run report`
// and `npm run reconcile` beside it are told at once what to do); the worker's activities and the API's reads share
// the one PGlite instance. With DATABASE_URL the worker and the API stay two stateless processes, as production runs
// them. SIGINT/SIGTERM: the worker drains (the Temporal Runtime's signal handling) while the API stops accepting and
// finishes what is in flight; then the register is closed and the process exits 0.
import { startApi } from '../api/main';
import { loadConfigOrExit } from '../platform/config';
import { once } from '../platform/once';
import { installTemporalRuntime } from '../platform/runtime';
import { openRegister } from '../register';
import { logStopSignals, prepareWorker } from '../worker/main';

/** What the register's lock file says holds it, for the message another opener gets. */
export const REGISTER_OWNER = 'npm start: the worker and the API in one process';

async function main(): Promise<number> {
  const config = loadConfigOrExit();
  installTemporalRuntime(config.LOG_LEVEL);
  logStopSignals();
  const register = await openRegister(config, { owner: REGISTER_OWNER });
  try {
    const api = await startApi(config, { register });
    const stopApi = once(api.stop);
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopApi());
    try {
      const worker = await prepareWorker(config, { register });
      // The worker's run ends after a shutdown signal (or when it fails): the API goes with it.
      await worker.run();
      return 0;
    } catch (err) {
      console.error('Worker failed:', err);
      return 1;
    } finally {
      await stopApi();
    }
  } finally {
    await register.close();
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error('Worker and API failed:', err);
      process.exit(1);
    },
  );
}
