// Collects items into batches (by size or delay), writes each batch with one call, and resolves every
// item's promise only after its batch is committed. A failed write is retried with backoff, never dropped;
// meanwhile the writer reports itself degraded and holds at most `maxBuffer` items (adders wait beyond that).
// A batch the database refuses for its contents (`refused`) is split until the refused items are alone: the rest is
// written, and each refused item's promise is rejected with the database's error, for its adder to dead-letter.
import { EventEmitter } from 'node:events';
import type { Logger } from '../log.ts';
import { retrying } from '../retry.ts';

export interface BatchWriterOptions<T> {
  name: string;
  write: (items: T[]) => Promise<void>;
  maxBatch?: number;
  maxDelayMs?: number;
  maxBuffer?: number;
  /** Batches written at the same time. */
  concurrency?: number;
  log?: Logger;
  backoff?: { initialMs: number; maxMs: number };
  /** Whether an error means the items themselves are refused (retrying them cannot help); default: never. */
  refused?: (err: unknown) => boolean;
}

interface Pending<T> {
  item: T;
  /** performance.now() when added: the delay counts from the oldest waiting item. */
  at: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class BatchWriter<T> extends EventEmitter {
  private queue: Pending<T>[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = 0;
  private waitingForSpace: (() => void)[] = [];
  private closed = false;
  private _degraded = false;
  written = 0;
  failures = 0;
  /** Items the database refused, each rejected to its adder. */
  refusedItems = 0;

  constructor(private readonly opts: BatchWriterOptions<T>) {
    super();
  }

  get degraded(): boolean {
    return this._degraded;
  }

  get buffered(): number {
    return this.queue.length;
  }

  /** Resolves once the item is committed. */
  async add(item: T): Promise<void> {
    if (this.closed) throw new Error(`${this.opts.name}: writer closed`);
    while (this.queue.length >= (this.opts.maxBuffer ?? 50_000)) {
      await new Promise<void>((r) => this.waitingForSpace.push(r));
    }
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ item, at: performance.now(), resolve, reject });
      this.schedule();
    });
  }

  /** Writes everything queued now. */
  async flush(): Promise<void> {
    while (this.queue.length > 0 || this.running > 0) {
      this.kick();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.queue.length >= (this.opts.maxBatch ?? 2000)) return this.kick();
    if (this.timer || this.queue.length === 0) return;
    // Due when the oldest waiting item has waited maxDelay: under load, items that queued while every writer was
    // busy go out as soon as one is free, not a whole delay later.
    const due = this.queue[0].at + (this.opts.maxDelayMs ?? 50) - performance.now();
    if (due <= 0) this.kick();
    else this.timer = setTimeout(() => this.kick(), due);
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0 && this.running < (this.opts.concurrency ?? 2)) {
      const batch = this.queue.splice(0, this.opts.maxBatch ?? 2000);
      this.running++;
      void this.writeWithRetry(batch).finally(() => {
        this.running--;
        // Wake only as many adders as there is room for: waking all of them on every batch costs O(waiters) each
        // time and, under sustained overload, drowns the writer in retries of the same check.
        const room = Math.max(0, (this.opts.maxBuffer ?? 50_000) - this.queue.length);
        for (const wake of this.waitingForSpace.splice(0, room)) wake();
        if (this.queue.length > 0) this.schedule();
      });
    }
  }

  private async writeWithRetry(batch: Pending<T>[]): Promise<void> {
    const refused = this.opts.refused;
    try {
      await retrying(() => this.opts.write(batch.map((p) => p.item)), {
        ...(this.opts.backoff ?? { initialMs: 100, maxMs: 5000 }),
        stopped: () => this.closed,
        retryable: refused ? (err) => !refused(err) : undefined,
        log: this.opts.log,
        what: `database write (${this.opts.name})`,
        onFailure: (err) => {
          this.failures++;
          // Refused items are this batch's own trouble, not the database's: the writer is not degraded by them.
          if (refused?.(err)) return;
          if (!this._degraded) {
            this._degraded = true;
            this.emit('degraded', err);
          }
        },
      });
    } catch (err) {
      if (refused?.(err) && !this.closed) return this.isolate(batch, err as Error);
      // Closed while failing: the batch is given back to its adders.
      for (const p of batch) p.reject(err as Error);
      return;
    }
    this.written += batch.length;
    if (this._degraded) {
      this._degraded = false;
      this.emit('recovered');
    }
    for (const p of batch) p.resolve();
  }

  /** Halves a refused batch until each refused item is alone (log2(batch) writes per refused item). */
  private async isolate(batch: Pending<T>[], err: Error): Promise<void> {
    if (batch.length === 1) {
      this.refusedItems++;
      this.opts.log?.warn({ what: this.opts.name, err }, `${this.opts.name}: the database refused an item; it goes back to its adder`);
      batch[0].reject(err);
      return;
    }
    const half = Math.ceil(batch.length / 2);
    await this.writeWithRetry(batch.slice(0, half));
    await this.writeWithRetry(batch.slice(half));
  }
}
