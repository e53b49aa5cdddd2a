// Polls a condition until it holds (integration tests wait for effects, never for a fixed time).
export async function until<T>(
  fn: () => Promise<T> | T,
  ok: (v: T) => boolean = Boolean,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < end) {
    last = await fn();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}
