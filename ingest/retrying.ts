// Retries an operation with exponential backoff until it succeeds (or the caller stops), for database
// reads on the intake path: a message waits for the database instead of failing.
export class StoppedError extends Error {
  constructor() {
    super('stopped');
  }
}

export async function retrying<T>(op: () => Promise<T>, backoff: { initialMs: number; maxMs: number }, stopped: () => boolean = () => false): Promise<T> {
  let delay = backoff.initialMs;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (stopped()) throw err instanceof Error ? err : new StoppedError();
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, backoff.maxMs);
    }
  }
}
