import net from 'node:net';
import { Client, Connection } from '@temporalio/client';
import { toClientOptions } from '@temporalio/envconfig';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { type AppConfig, ConfigError, temporalAddress } from './config';
import { complaintDataConverter } from './payload-codec';
import { payloadKeysFor } from './payload-keys';

/** How long a process waits for Temporal at start before giving up with one clear line. */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Temporal could not be reached; the message is one line: `Cannot reach Temporal at host:port: <reason>`. */
export class TemporalUnreachableError extends Error {
  override readonly name = 'TemporalUnreachableError';
}

/** What both connection kinds take: address, TLS (true, false or files), API key, gRPC headers. */
export type TemporalConnectionOptions = Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'> & {
  address: string;
};

/** Which variable names a certificate file envconfig could not read (its own error names only the path). */
function unreadableFile(config: AppConfig, err: NodeJS.ErrnoException): ConfigError {
  const tls = config.temporalProfile.tls;
  const variables = [
    ['TEMPORAL_TLS_CLIENT_CERT_PATH', tls?.clientCert],
    ['TEMPORAL_TLS_CLIENT_KEY_PATH', tls?.clientKey],
    ['TEMPORAL_TLS_SERVER_CA_CERT_PATH', tls?.serverCACert],
  ] as const;
  const [variable] = variables.find(([, source]) => source && 'path' in source && source.path === err.path) ?? [
    'A Temporal TLS file',
  ];
  return new ConfigError(
    `Invalid configuration: ${variable} cannot be read (${err.code ?? err.message}: ${JSON.stringify(err.path ?? '')})`,
  );
}

/**
 * Address, TLS and API key, shared by both connection kinds: @temporalio/envconfig's reading of the profile
 * (an API key implies TLS; TEMPORAL_TLS=false turns it off), with the address the dev server's when none is set.
 */
export function temporalConnectionOptions(config: AppConfig): TemporalConnectionOptions {
  const address = temporalAddress(config);
  try {
    const { tls, apiKey, metadata } = toClientOptions({ ...config.temporalProfile, address }).connectionOptions;
    return {
      address,
      ...(tls !== undefined ? { tls } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(metadata ? { metadata } : {}),
    };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).syscall) throw unreadableFile(config, err as NodeJS.ErrnoException);
    throw err;
  }
}

/** A TCP-level reason (refused, unknown host, timed out), since gRPC errors say little ("deadline exceeded"). */
function probeTcp(address: string, timeoutMs = 3_000): Promise<string | undefined> {
  const i = address.lastIndexOf(':');
  const host = address.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(i + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (reason: string | undefined) => {
      socket.destroy();
      resolve(reason);
    };
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs / 1000}s`));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') done('connection refused (is the Temporal server running?)');
      else if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') done(`host "${host}" not found`);
      else done(err.code ?? err.message);
    });
  });
}

function oneLine(message: string): string {
  return message.replace(/\s+/g, ' ').trim().slice(0, 300);
}

async function unreachable(address: string, err: unknown): Promise<TemporalUnreachableError> {
  const tcpReason = await probeTcp(address);
  const reason = tcpReason ?? oneLine(err instanceof Error ? err.message : String(err));
  return new TemporalUnreachableError(`Cannot reach Temporal at ${address}: ${reason}`);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, onLate: (value: T) => void): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      reject(new Error(`no answer within ${ms / 1000}s`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    if (timedOut) promise.then(onLate, () => undefined);
  }
}

/** A Client (gRPC-js connection) for starting, signalling and querying workflows; close with `client.connection.close()`. */
export async function connectClient(config: AppConfig, timeoutMs = CONNECT_TIMEOUT_MS): Promise<Client> {
  const options = temporalConnectionOptions(config);
  // gRPC-js retries a refused connection until the deadline; a TCP probe alongside fails fast when nothing listens.
  const probe = probeTcp(options.address, timeoutMs);
  const connecting = Connection.connect({ ...options, connectTimeout: timeoutMs });
  const refused = probe.then((reason) =>
    reason ? Promise.reject(new Error(reason)) : new Promise<never>(() => undefined),
  );
  let connection: Connection;
  try {
    connection = await Promise.race([connecting, refused]);
  } catch (err) {
    void connecting.then(
      (late) => late.close(),
      () => undefined,
    );
    throw await unreachable(options.address, err);
  }
  return configuredClient(config, connection);
}

/**
 * A Client on `connection` with the configuration's namespace and data converter (payloads encrypted with the
 * configured key ring: platform/payload-codec.ts). Every product client is made here (connectClient, the API).
 */
export function configuredClient(config: AppConfig, connection: Connection): Client {
  return new Client({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    dataConverter: complaintDataConverter(payloadKeysFor(config)),
  });
}

/** A NativeConnection for Workers. */
export async function connectWorkerConnection(
  config: AppConfig,
  timeoutMs = CONNECT_TIMEOUT_MS,
): Promise<NativeConnection> {
  const options = temporalConnectionOptions(config);
  try {
    return await withTimeout(NativeConnection.connect(options), timeoutMs, (late) => void late.close());
  } catch (err) {
    throw await unreachable(options.address, err);
  }
}

/** For entry points: print a config or connection problem as its one line and exit 1; rethrow anything else. */
export function exitOnStartupError(err: unknown): never {
  if (err instanceof ConfigError || err instanceof TemporalUnreachableError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
