import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BatchWriter } from './batch-writer.ts';

// Fake timers (setTimeout and performance.now): the delay and backoff windows are stepped exactly, not slept through.
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});
const advance = (ms: number) => vi.advanceTimersByTimeAsync(ms);

/** A writer whose writes are recorded and finish only when released. */
function gatedWriter(opts: { maxBatch?: number; maxDelayMs?: number; concurrency?: number }) {
  const batches: { items: number[]; startedAt: number }[] = [];
  const gates: (() => void)[] = [];
  const writer = new BatchWriter<number>({
    name: 'test',
    ...opts,
    write: (items) => {
      batches.push({ items, startedAt: performance.now() });
      return new Promise<void>((r) => gates.push(r));
    },
  });
  const releaseAll = () => gates.splice(0).forEach((r) => r());
  return { writer, batches, releaseAll };
}

describe('BatchWriter', () => {
  it('waits up to the delay to fill a batch at light load, and resolves items only after their batch is written', async () => {
    const { writer, batches, releaseAll } = gatedWriter({ maxBatch: 100, maxDelayMs: 40, concurrency: 1 });
    let done = 0;
    const added = [1, 2, 3].map((i) => writer.add(i).then(() => done++));
    await advance(39);
    expect(batches).toHaveLength(0);
    await advance(1);
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    expect(done).toBe(0);
    releaseAll();
    await Promise.all(added);
    expect(done).toBe(3);
  });

  it('writes a full batch at once, without the delay', async () => {
    const { writer, batches, releaseAll } = gatedWriter({ maxBatch: 3, maxDelayMs: 10_000, concurrency: 2 });
    const added = [1, 2, 3, 4].map((i) => writer.add(i));
    await advance(0);
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    releaseAll();
    await Promise.all(added.slice(0, 3));
    const flushed = writer.flush();
    await advance(0);
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3], [4]]);
    releaseAll();
    await advance(5);
    await Promise.all([...added, flushed]);
  });

  it('writes items that queued while every writer was busy as soon as one is free once they have waited the delay', async () => {
    const delay = 200;
    const { writer, batches, releaseAll } = gatedWriter({ maxBatch: 1000, maxDelayMs: delay, concurrency: 1 });
    const first = writer.add(1);
    await advance(delay);
    expect(batches).toHaveLength(1);
    // Queued behind the busy writer; they wait longer than the delay before it frees up.
    const later = [2, 3].map((i) => writer.add(i));
    await advance(delay + 30);
    expect(batches).toHaveLength(1);
    const freedAt = performance.now();
    releaseAll();
    await first;
    await advance(0);
    expect(batches.map((b) => b.items)).toEqual([[1], [2, 3]]);
    // Not a second full delay after the writer came free: the delay counts from when the items were added.
    expect(batches[1].startedAt - freedAt).toBe(0);
    releaseAll();
    await Promise.all(later);
  });

  it('keeps a failed batch and writes it again with backoff, reporting degraded meanwhile', async () => {
    const calls: number[] = [];
    const written: number[][] = [];
    const writer = new BatchWriter<number>({
      name: 'test',
      maxDelayMs: 1,
      backoff: { initialMs: 10, maxMs: 20 },
      write: async (items) => {
        calls.push(performance.now());
        if (calls.length <= 2) throw new Error('database away');
        written.push(items);
      },
    });
    const added = [1, 2].map((i) => writer.add(i));
    await advance(1);
    expect(calls).toEqual([1]);
    expect(writer.degraded).toBe(true);
    await advance(9);
    expect(calls).toHaveLength(1); // the first backoff is 10 ms
    await advance(1);
    expect(calls).toEqual([1, 11]);
    await advance(20); // then doubled
    expect(calls).toEqual([1, 11, 31]);
    await Promise.all(added);
    expect(written).toEqual([[1, 2]]);
    expect(writer.degraded).toBe(false);
  });

  it('when the database refuses some items of a batch, then the rest are written once and only the refused ones are rejected', async () => {
    const refusal = Object.assign(new Error('value violates a check constraint'), { code: '23514' });
    const written: number[] = [];
    let writes = 0;
    const writer = new BatchWriter<number>({
      name: 'test',
      maxBatch: 16,
      maxDelayMs: 1,
      refused: (err) => (err as { code?: string }).code === '23514',
      write: async (items) => {
        writes++;
        if (items.includes(3) || items.includes(12)) throw refusal;
        written.push(...items);
      },
    });
    const outcomes = Array.from({ length: 16 }, (_, i) =>
      writer.add(i).then(
        () => 'ok',
        (err: Error) => err.message,
      ),
    );
    await advance(1);
    const results = await Promise.all(outcomes);
    expect(results.filter((r) => r !== 'ok')).toEqual([refusal.message, refusal.message]);
    expect(results[3]).toBe(refusal.message);
    expect(results[12]).toBe(refusal.message);
    expect(written.sort((a, b) => a - b)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15]);
    // Halving: at most 1 + 2 × log2(16) writes per refused item, and no backoff waits (the fake clock did not move).
    expect(writes).toBeLessThanOrEqual(1 + 2 * 2 * 4);
    expect(writer.refusedItems).toBe(2);
    expect(writer.degraded).toBe(false);
  });
});
