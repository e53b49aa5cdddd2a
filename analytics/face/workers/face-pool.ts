// Worker threads for face analysis, one per core by default, behind a bounded queue: when the queue is full a
// new job is refused at once (and counted as dropped) instead of piling up in memory.
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';
import { cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import type { AnalysedFace, EngineInfo } from '../engine/face-engine.ts';
import type { AnalyseRequest, WorkerInit, WorkerMessage } from './protocol.ts';
import type { Logger } from '../../../core/log.ts';

export class QueueFullError extends Error {
  constructor(max: number) {
    super(`face queue full (${max} waiting): dropped`);
  }
}
export class FaceImageError extends Error {}

export interface FacePoolOptions extends WorkerInit {
  workers?: number;
  queueMax: number;
  /** Where a lost worker and a failed replacement are told (the pool is smaller until a later one succeeds). */
  log?: Pick<Logger, 'warn' | 'error'>;
}

interface Job {
  id: number;
  image: Uint8Array;
  crops: boolean;
  door: boolean;
  resolve: (faces: AnalysedFace[]) => void;
  reject: (err: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  heapBytes: number;
}

const require = createRequire(import.meta.url);
// Workers run this file through tsx's loader, which works the same under `tsx`, vitest and plain node.
const TSX_API = pathToFileURL(path.join(path.dirname(require.resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
const WORKER_URL = new URL('./face-worker.ts', import.meta.url).href;
const BOOT = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL)}); })`;

export class FacePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;
  info?: EngineInfo;
  processed = 0;
  dropped = 0;
  failed = 0;
  /** Workers that crashed or exited, and replacements that failed to start. */
  lost = 0;
  respawnFailures = 0;

  private constructor(private readonly opts: FacePoolOptions) {}

  /** Starts the workers and waits until each has loaded its backend and models. */
  static async start(opts: FacePoolOptions): Promise<FacePool> {
    const pool = new FacePool(opts);
    const n = opts.workers ?? cpus().length;
    try {
      await Promise.all(Array.from({ length: n }, () => pool.spawn()));
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  get size(): number {
    return this.slots.length;
  }
  get queued(): number {
    return this.queue.length;
  }
  get busy(): number {
    return this.slots.filter((s) => s.job).length;
  }
  /** Latest heap + external memory reported by each worker, in bytes. */
  get workerMemory(): number[] {
    return this.slots.map((s) => s.heapBytes);
  }

  /**
   * Faces in a JPEG, largest first. Rejects with QueueFullError when `queueMax` jobs are already waiting,
   * and with FaceImageError when the bytes are not an image.
   */
  analyse(image: Uint8Array, opts: { crops?: boolean; door?: boolean } = {}): Promise<AnalysedFace[]> {
    if (this.closed) return Promise.reject(new Error('face pool closed'));
    if (this.queue.length >= this.opts.queueMax) {
      this.dropped++;
      return Promise.reject(new QueueFullError(this.opts.queueMax));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, image, crops: opts.crops ?? false, door: opts.door ?? false, resolve, reject });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('face pool closed'));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private spawn(): Promise<void> {
    const { workers: _n, queueMax: _q, log: _l, ...init } = this.opts;
    const worker = new Worker(BOOT, { eval: true, workerData: init satisfies WorkerInit });
    const slot: Slot = { worker, heapBytes: 0 };
    return new Promise((resolve, reject) => {
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'ready') {
          this.info ??= m.info;
          this.slots.push(slot);
          resolve();
          this.pump();
        } else if (m.type === 'failed') {
          reject(new Error(`face worker failed to start: ${m.error}`));
        } else {
          this.finish(slot, m);
        }
      });
      worker.on('error', (err) => {
        reject(err);
        this.lose(slot, err);
      });
      worker.on('exit', (code) => {
        if (!this.closed) this.lose(slot, new Error(`face worker exited with code ${code}`));
      });
    });
  }

  private finish(slot: Slot, m: Extract<WorkerMessage, { type: 'result' | 'error' }>): void {
    const job = slot.job;
    slot.job = undefined;
    if (job && job.id === m.id) {
      if (m.type === 'result') {
        this.processed++;
        slot.heapBytes = m.heapBytes;
        job.resolve(m.faces);
      } else {
        this.failed++;
        job.reject(m.decode ? new FaceImageError(m.error) : new Error(m.error));
      }
    }
    this.pump();
  }

  /** A crashed worker fails its job and is replaced, so one bad image cannot shrink the pool for good. */
  private lose(slot: Slot, err: Error): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    this.slots.splice(i, 1);
    this.lost++;
    if (slot.job) {
      this.failed++;
      slot.job.reject(err);
    }
    if (this.closed) return;
    this.opts.log?.warn({ err, workers: this.slots.length }, 'face worker lost; starting a replacement');
    void this.spawn().catch((spawnErr: unknown) => {
      this.respawnFailures++;
      this.opts.log?.error({ err: spawnErr, workers: this.slots.length }, 'face worker not replaced; the pool stays smaller');
    });
  }

  private pump(): void {
    for (const slot of this.slots) {
      if (slot.job) continue;
      const job = this.queue.shift();
      if (!job) return;
      slot.job = job;
      const req: AnalyseRequest = { id: job.id, image: job.image, crops: job.crops, door: job.door };
      slot.worker.postMessage(req);
    }
  }
}
