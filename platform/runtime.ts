import { DefaultLogger, type LogLevel as SdkLogLevel, Runtime } from '@temporalio/worker';
import type { LogLevel } from './config';

const SDK_LEVEL: Record<LogLevel, SdkLogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
};

/**
 * Installs the Temporal SDK Runtime (its logger and native log level) for this process. The SDK allows one
 * install per process, before any Worker or NativeConnection; a second call is a no-op, which lets tests call
 * this from every helper. Returns false when a Runtime already existed.
 */
export function installTemporalRuntime(level: LogLevel, shutdownSignals?: NodeJS.Signals[]): boolean {
  const sdkLevel = SDK_LEVEL[level];
  try {
    Runtime.install({
      logger: new DefaultLogger(sdkLevel),
      telemetryOptions: {
        logging: {
          filter: { core: sdkLevel === 'TRACE' || sdkLevel === 'DEBUG' ? sdkLevel : 'WARN', other: 'ERROR' },
          forward: {},
        },
      },
      ...(shutdownSignals ? { shutdownSignals } : {}),
    });
    return true;
  } catch (err) {
    if (err instanceof Error && err.name === 'IllegalStateError') return false;
    throw err;
  }
}
