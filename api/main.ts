// The HTTP API process (`npm run api`; `npm start` runs it; in production `node dist/api/main.js`).
// Configuration from the environment (platform/config.ts). SIGINT/SIGTERM: stop accepting, finish what is in
// flight, close the Temporal connection, exit 0.
import pino from 'pino';
import { paperSettingsFrom } from '../report/committee-paper';
import { Connection } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import {
  apiUrl,
  type AppConfig,
  ConfigError,
  loadConfigOrExit,
  temporalAddress,
  temporalUiOrigin,
} from '../platform/config';
import type { CouncilCalendar } from '../domain/council-calendar';
import type { RootCauseTaxonomy } from '../domain/root-causes';
import type { ProcedureSchedule } from '../domain/procedure-schedule';
import { councilCalendarFor, procedureScheduleFor, rootCauseTaxonomyFor } from '../platform/procedure-files';
import { configuredClient, exitOnStartupError, temporalConnectionOptions } from '../platform/temporal-connection';
import { payloadKeysFor } from '../platform/payload-keys';
import { payloadCodecFor } from '../platform/payload-codec';
import { letterPrinterFromConfig } from '../notifications/letter-printer';
import { openRegister, type Register } from '../register';
import { buildApp } from './app';
import { ensureDevTokens, loadTokenStore, type TokenStore } from './auth';
import { ComplaintService } from './complaint-service';
import { ssoTokensFor, type SsoTokens } from './sso-tokens';
import { webOptionsFromConfig } from '../web/config';
import type { WebOptions } from '../web/plugin';

/** Running from TypeScript sources (npm start / npm run api) rather than compiled dist/ (Docker, production). */
const runningFromSources = __filename.endsWith('.ts');

/** Configured tokens; on a developer's machine with none configured, development tokens made at first start. */
function tokensFor(config: AppConfig): TokenStore {
  const configured = loadTokenStore(config);
  if (configured) {
    if (configured.size === 0)
      console.warn('WARNING: API_TOKENS_PATH/API_TOKENS list no tokens: every request but /health will get 401');
    return configured;
  }
  if (!runningFromSources) {
    throw new ConfigError(
      'Invalid configuration: API_TOKENS_PATH or API_TOKENS must be set (make a token with `npm run token -- --person <id> --roles <roles>`)',
    );
  }
  const dev = ensureDevTokens(config.DATA_DIR, apiUrl(config));
  console.log(
    `No API_TOKENS_PATH or API_TOKENS: using development tokens (one per role) ${dev.created ? 'made now' : 'made earlier'}; ` +
      `they are in ${dev.valuesPath}`,
  );
  return dev.store;
}

/**
 * The API as `npm run api` runs it, listening on HOST:PORT. `stop()` stops accepting, finishes what is in flight and
 * closes the Temporal connection and the register, if it opened it. `options.register`: the register this process
 * opened already (scripts/worker-and-api.ts: the worker and the API in one process over the embedded register), which
 * its opener closes.
 */
export async function startApi(
  config: AppConfig,
  options: { register?: Register } = {},
): Promise<{ app: FastifyInstance; stop: () => Promise<void> }> {
  let tokens: TokenStore;
  let connection: Connection;
  let procedureSchedule: ProcedureSchedule;
  let councilCalendar: CouncilCalendar;
  let web: WebOptions;
  let rootCauses: RootCauseTaxonomy;
  let sso: SsoTokens | undefined;
  try {
    tokens = tokensFor(config);
    procedureSchedule = procedureScheduleFor(config);
    councilCalendar = councilCalendarFor(config);
    web = webOptionsFromConfig(config, {
      fromSources: runningFromSources,
      devTokens: runningFromSources && !config.API_TOKENS_PATH && !config.API_TOKENS,
    });
    rootCauses = rootCauseTaxonomyFor(config);
    payloadKeysFor(config); // a key problem is reported now, as one line
    sso = ssoTokensFor(config);
    // Lazy: the API starts even while Temporal is down, answers 503 (and /health 503) until it is back.
    connection = Connection.lazy(temporalConnectionOptions(config));
  } catch (err) {
    exitOnStartupError(err);
  }
  const client = configuredClient(config, connection);
  const register = options.register ?? (await openRegister(config));
  const complaints = new ComplaintService(client, {
    personalData: register.personalData,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    defaultProcedure: config.DEFAULT_PROCEDURE,
    procedureSchedule,
    councilCalendar,
    refPrefix: config.COMPLAINT_REF_PREFIX,
    timeoutMs: config.API_TEMPORAL_TIMEOUT_MS,
  });
  // Written asynchronously (two lines a request): a synchronous write to a pipe per line was a fifth of the API's
  // busy time under load (bench/README.md); lines that pile up during a write go out together. Flushed on stop.
  const logDestination = pino.destination({ dest: 1, sync: false });
  const app = await buildApp({
    complaints,
    tokens,
    register,
    letterPrinter: letterPrinterFromConfig(config),
    reports: {
      defaultProcedure: config.DEFAULT_PROCEDURE,
      population: config.POPULATION ?? null,
      paper: paperSettingsFrom(config),
    },
    rootCauses,
    bodyLimit: config.API_BODY_LIMIT_BYTES,
    timeouts: { requestMs: config.API_REQUEST_TIMEOUT_MS },
    logger: { level: config.LOG_LEVEL, stream: logDestination },
    web,
    codec: {
      codec: payloadCodecFor(payloadKeysFor(config)),
      uiOrigin: temporalUiOrigin(config),
      ...(sso ? { sso } : {}),
    },
  });

  await app.listen({ host: config.HOST, port: config.PORT });
  try {
    await complaints.health();
  } catch (err) {
    app.log.warn(
      `Temporal at ${temporalAddress(config)} is not answering yet (${(err as Error).message}); requests get 503 until it does`,
    );
  }
  const stop = async () => {
    await app.close();
    logDestination.flushSync();
    if (!options.register) await register.close();
    await connection.close();
  };
  return { app, stop };
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const { app, stop } = await startApi(config);
  let stopping = false;
  const onSignal = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`${signal} received: stopping`);
    await stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void onSignal('SIGINT'));
  process.on('SIGTERM', () => void onSignal('SIGTERM'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error('API failed to start:', err);
    process.exit(1);
  });
}
