import { inspect } from 'node:util';
import { DefaultLogger, type LogEntry, type LogLevel as SdkLogLevel, Runtime } from '@temporalio/worker';
import type { LogLevel } from './config';

const SDK_LEVEL: Record<LogLevel, SdkLogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

export interface TemporalRuntimeOptions {
  shutdownSignals?: NodeJS.Signals[];
  /**
   * Write the SDK's log lines with `console.warn`/`console.error` instead of straight to stderr (the SDK's default),
   * so that a test runner can tell which test each line came from: vitest shows them with a failing test only.
   */
  throughConsole?: boolean;
}

/** The SDK's own line format (time, level, message, metadata), through `console`. */
function logThroughConsole({ level, timestampNanos, message, meta }: LogEntry): void {
  const line = `${new Date(Number(timestampNanos / 1_000_000n)).toISOString()} [${level}] ${message}`;
  const text = meta === undefined ? line : `${line} ${inspect(meta)}`;
  if (level === 'ERROR') console.error(text);
  else if (level === 'WARN') console.warn(text);
  else console.log(text);
}

/**
 * Installs the Temporal SDK Runtime (its logger and native log level) for this process. The SDK allows one
 * install per process, before any Worker or NativeConnection; a second call is a no-op, which lets tests call
 * this from every helper. Returns false when a Runtime already existed.
 */
export function installTemporalRuntime(level: LogLevel, options: TemporalRuntimeOptions = {}): boolean {
  const sdkLevel = SDK_LEVEL[level];
  try {
    Runtime.install({
      logger: options.throughConsole ? new DefaultLogger(sdkLevel, logThroughConsole) : new DefaultLogger(sdkLevel),
      telemetryOptions: {
        logging: {
          filter: { core: sdkLevel === 'TRACE' || sdkLevel === 'DEBUG' ? sdkLevel : 'WARN', other: 'ERROR' },
          forward: {},
        },
      },
      ...(options.shutdownSignals ? { shutdownSignals: options.shutdownSignals } : {}),
    });
    return true;
  } catch (err) {
    if (err instanceof Error && err.name === 'IllegalStateError') return false;
    throw err;
  }
}
