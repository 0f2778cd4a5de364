import type { AccessLogStore, AccessRecord } from '../register/access-log';
import { mayReadPersonalData, type Role } from './auth';
import { ApiError } from './errors';

// The access log's writer (issue 14). Every read that discloses a complaint's personal data is recorded, without
// making the read wait for the register: records queue here and are written in batches (one INSERT) shortly after.
// Never lost silently:
//  - a clean shutdown writes what is queued (the app's onClose hook calls `close`, before the register closes);
//  - a failed write keeps the records queued and is retried; the failure is reported through `onError`;
//  - the queue is bounded: when `maxPending` records wait (the register is slow or down), a read waits for them to be
//    written, and is refused (503) when they cannot be, rather than disclose what could not be logged.
// A crash (SIGKILL) loses at most what was queued: `flushAfterMs` of reads.

/** Who read, through which route: the access log's "who" and "where". */
export interface AccessingViewer {
  id: string;
  roles: readonly Role[];
}

export interface AccessRecorderOptions {
  store: Pick<AccessLogStore, 'append'>;
  /** The clock of the records (a test may fix it). */
  now?: () => Date;
  /** How long a record may wait before its batch is written. */
  flushAfterMs?: number;
  /** Records per INSERT. */
  batchSize?: number;
  /** Records that may wait; at this many, reads wait for the write. */
  maxPending?: number;
  /** A write failed; `pending` records still wait (reported without their content: refs are enough). */
  onError?: (error: unknown, pending: number) => void;
}

export class AccessRecorder {
  private readonly pending: AccessRecord[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => Date;
  private readonly flushAfterMs: number;
  private readonly batchSize: number;
  private readonly maxPending: number;

  constructor(private readonly options: AccessRecorderOptions) {
    this.now = options.now ?? (() => new Date());
    this.flushAfterMs = options.flushAfterMs ?? 200;
    this.batchSize = options.batchSize ?? 500;
    this.maxPending = options.maxPending ?? 10_000;
  }

  /** How many records wait to be written. */
  get waiting(): number {
    return this.pending.length;
  }

  /**
   * Records that `viewer` read these complaints (null: a subject access request that matched none) through `route`,
   * if the viewer's roles may read personal data (api/auth.ts `mayReadPersonalData`): only those reads of a complaint
   * disclose it. `toAnyRole`: the read shows personal data whoever makes it (a letter's name and address, intake's
   * look-up of earlier complaints by a name), so it is recorded for every role.
   */
  async record(
    viewer: AccessingViewer,
    route: string,
    refs: readonly (string | null)[],
    options: { toAnyRole?: boolean } = {},
  ): Promise<void> {
    if (!(options.toAnyRole || mayReadPersonalData(viewer)) || refs.length === 0) return;
    const at = this.now().toISOString();
    const who = { id: viewer.id, roles: [...viewer.roles] };
    for (const ref of refs) this.pending.push({ ref, viewer: who, route, at });
    if (this.pending.length < this.maxPending) {
      this.schedule();
      return;
    }
    try {
      await this.flush();
    } catch {
      throw new ApiError(503, 'access-log-unavailable', 'The access log cannot be written now; try again shortly');
    }
  }

  /** Writes everything queued (after any write under way); rejects when the register refuses (records stay queued). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const run = this.writing.catch(() => undefined).then(() => this.writePending());
    this.writing = run;
    return run;
  }

  /** Writes what is queued; rejects (after reporting) when some could not be written. */
  async close(): Promise<void> {
    try {
      await this.flush();
    } catch (error) {
      this.options.onError?.(error, this.pending.length);
      throw error;
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((error: unknown) => {
        this.options.onError?.(error, this.pending.length);
        this.schedule();
      });
    }, this.flushAfterMs);
    this.timer.unref();
  }

  private async writePending(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batchSize);
      try {
        await this.options.store.append(batch);
      } catch (error) {
        this.pending.unshift(...batch);
        throw error;
      }
    }
  }
}

/** The route a request came through, as the access log names it: "GET /complaints/:ref". */
export function accessRoute(request: { method: string; routeOptions: { url?: string | undefined } }): string {
  return `${request.method} ${request.routeOptions.url ?? '?'}`;
}
