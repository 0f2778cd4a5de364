// The product against the cluster: `npm run worker` and `npm run api` (worker/main.ts, api/main.ts, as they run in
// production) with TEMPORAL_ADDRESS at the cluster's front door, the register in the run's PostgreSQL database,
// e-mail to an SMTP server in this process (tests/support/mail-server.ts), bearer tokens of their own; and, for the
// fault drill (devtools/fault-drill), its target (the API, Temporal through the front door, the register, the mail
// received) and a control that SIGKILLs and restarts the worker.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { type Client, Connection } from '@temporalio/client';
import { hashToken } from '../../api/auth';
import { configVariableNames } from '../../platform/config';
import { unusedLoopbackPort } from '../../platform/ports';
import { repoRoot } from '../../platform/repo-root';
import { openRegister, type Register } from '../../register';
import { TestMailServer } from '../../tests/support/mail-server';
import { type Child, type ChildGroup, httpOk, waitForLine, waitForProbe } from '../child-processes';
import type { DrillTarget, FaultControl } from '../fault-drill';
import { NAMESPACE } from './cluster';
import { productClient } from '../temporal/product-client';

export const people = {
  intake: { id: 'cluster.intake', name: 'Cluster intake clerk', roles: ['intake'] },
  officer: { id: 'cluster.officer', name: 'Cluster case officer', roles: ['case-officer'] },
  manager: { id: 'cluster.manager', name: 'Cluster manager', roles: ['manager'] },
} as const;
const MAIL_FROM = 'complaints@cluster.example';
export type PersonKey = keyof typeof people;

export interface App {
  apiUrl: string;
  tokens: Record<PersonKey, string>;
  api: Child;
  client: Client;
  register: Register;
  target: DrillTarget;
  /** SIGKILL and restart of the worker (restarted as `npm run worker`, which bundles the workflows again). */
  worker: FaultControl;
  close(): Promise<void>;
}

function tokens(): { tokens: Record<PersonKey, string>; document: string } {
  const keys = Object.keys(people) as PersonKey[];
  const made = Object.fromEntries(keys.map((k) => [k, `swc_cluster_${randomBytes(24).toString('base64url')}`]));
  const document = JSON.stringify({
    tokens: keys.map((k) => ({
      sha256: hashToken(made[k]!),
      person: { id: people[k].id, name: people[k].name },
      roles: [...people[k].roles],
    })),
  });
  return { tokens: made as Record<PersonKey, string>, document };
}

export async function startApp(options: {
  children: ChildGroup;
  dir: string;
  temporalAddress: string;
  databaseUrl: string;
}): Promise<App> {
  const { children, dir, temporalAddress, databaseUrl } = options;
  const { tokens: made, document } = tokens();
  const mail = new TestMailServer();
  await mail.start();
  const port = await unusedLoopbackPort();
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of configVariableNames) delete env[name];
  Object.assign(env, {
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    DATABASE_URL: databaseUrl,
    DATA_DIR: path.join(dir, 'data'),
    HOST: '127.0.0.1',
    PORT: String(port),
    API_TOKENS: document,
    SMTP_URL: mail.url,
    MAIL_FROM,
  });
  const start = (name: string, script: string, stopTimeoutMs: number) =>
    children.start({
      name,
      command: process.execPath,
      args: ['--import', 'tsx', path.join(repoRoot(), script)],
      env,
      cwd: repoRoot(),
      logFile: path.join(dir, `${name}.log`),
      stopTimeoutMs,
    });
  let worker: Child | undefined;
  const startWorker = async () => {
    // The worker drains its in-flight tasks on SIGTERM: it gets longer.
    worker = start('worker', 'worker/main.ts', 60_000);
    await waitForLine(worker, /^Worker polling task queue/, { deadlineMs: 180_000 });
  };
  const api = start('api', 'api/main.ts', 20_000);
  const apiUrl = `http://127.0.0.1:${port}`;
  await Promise.all([
    startWorker(),
    waitForProbe(api, 'a healthy /health', httpOk(`${apiUrl}/health`), { deadlineMs: 180_000 }),
  ]);
  const connection = await Connection.connect({ address: temporalAddress });
  const client = productClient(connection, NAMESPACE, path.join(dir, 'data'));
  const register = await openRegister({ DATABASE_URL: databaseUrl, DATA_DIR: path.join(dir, 'data') });
  return {
    apiUrl,
    tokens: made,
    api,
    client,
    register,
    target: {
      apiUrl,
      tokens: made,
      officer: { id: people.officer.id, name: people.officer.name },
      temporal: client,
      register,
      mail: { deliveries: () => mail.transactions.map((m) => ({ messageId: m.messageId, atMs: m.receivedAtMs })) },
      mailFrom: MAIL_FROM,
    },
    worker: {
      name: 'worker',
      // It sends the e-mail: a kill can lose the SMTP 250 of a message, which is then sent again (the drill counts it).
      sendsMail: true,
      kill: async () => {
        if (!worker?.running) return;
        worker.signal('SIGKILL');
        await worker.exited;
      },
      restart: startWorker,
    },
    async close() {
      await register.close();
      await connection.close();
      await mail.stop();
    },
  };
}

/** The headers of a request made as `who`. */
export const auth = (app: App, who: PersonKey) => ({
  authorization: `Bearer ${app.tokens[who]}`,
  'content-type': 'application/json',
});
