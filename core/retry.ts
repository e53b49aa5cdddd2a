// The one retry loop: exponential backoff until the operation succeeds, the caller stops, or an error is not worth
// another try; the first failure and the recovery are logged (with the error's stack), so nothing retries silently.
import type { Logger } from './log.ts';

/** Thrown by a retry (or a handler) that was stopped before it had an error of its own to give. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
  constructor() {
    super('stopped');
  }
}

export interface RetryOptions {
  initialMs: number;
  maxMs: number;
  /** Asked after each failure: when true, the last error is thrown instead of trying again. */
  stopped?: () => boolean;
  /** Whether an error is worth another try (default: every error is); any other is thrown at once. */
  retryable?: (err: unknown) => boolean;
  /** Where the first failure (warn), every tenth after it (warn) and the recovery (info) are logged. */
  log?: Pick<Logger, 'warn' | 'info'>;
  /** What is tried, in words for the log ("door lookup", "database write (door_events)"). */
  what?: string;
  /** Called on every failure, e.g. to count it or report the caller degraded. */
  onFailure?: (err: unknown, attempt: number) => void;
}

/** Runs `op` until it succeeds; see RetryOptions for when it gives up. */
export async function retrying<T>(op: () => Promise<T>, o: RetryOptions): Promise<T> {
  let delay = o.initialMs;
  const what = o.what ?? 'operation';
  for (let attempt = 1; ; attempt++) {
    try {
      const result = await op();
      if (attempt > 1) o.log?.info({ what, attempts: attempt }, `${what} succeeded after retrying`);
      return result;
    } catch (err) {
      o.onFailure?.(err, attempt);
      if (o.retryable && !o.retryable(err)) throw err;
      if (o.stopped?.()) throw err instanceof Error ? err : new StoppedError();
      if (attempt === 1 || attempt % 10 === 0) o.log?.warn({ what, attempt, err, nextMs: delay }, `${what} failed; retrying with backoff`);
      // The global timer (not timers/promises), so tests with fake timers drive the backoff.
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, o.maxMs);
    }
  }
}
