// The face service: matches every face capture on the bus against the watch lists, keeps its index in step
// with list changes from any process, reports backend and queue in health, and applies face retention.
import type { Service, ServiceContext } from '../../core/service.ts';
import { acquireFaceRuntime, type FaceRuntime, type FaceRuntimeOptions } from './face-runtime.ts';
import { applyFaceRetention } from './retention.ts';
import { answerEnrolRequest } from './enrol-requests.ts';

export class FaceService implements Service {
  readonly name = 'faces';
  runtime?: FaceRuntime;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly opts: FaceRuntimeOptions = {},
  ) {}

  async start(): Promise<void> {
    const rt = (this.runtime = await acquireFaceRuntime(this.ctx, this.opts));
    const { bus, health, config, log, clock } = this.ctx;
    health.register('faces', () => ({
      backend: rt.pool.info?.backend,
      simd: rt.pool.info?.simd,
      workers: rt.pool.size,
      queue: rt.pool.queued,
      busy: rt.pool.busy,
      dropped: rt.pool.dropped,
      processed: rt.pool.processed,
      workersLost: rt.pool.lost,
      workerRespawnFailures: rt.pool.respawnFailures,
      enrolledFaces: rt.index.size,
      indexRebuildFailures: rt.index.rebuildFailures,
    }));
    // No group: every process holding an index must update it (its own changes arrive again: applying is idempotent).
    await bus.subscribe('watchlistChanged', async (change) => {
      if (!this.stopped) await rt.index.apply(change);
    });
    await bus.subscribe(
      'faceCapture',
      async (capture) => {
        // Left unacknowledged while stopping, so the broker hands the capture to another worker or to us again.
        if (this.stopped) throw new Error('face service stopping');
        await rt.matcher.handle(capture);
      },
      this.opts.group ?? 'analytics',
    );
    // Enrolment from the gateway (which loads no model): one face worker process answers each request.
    await bus.subscribe(
      'faceEnrolRequest',
      async (req) => {
        if (this.stopped) throw new Error('face service stopping');
        await answerEnrolRequest(this.ctx, rt, req);
      },
      `${this.opts.group ?? 'analytics'}-enrol`,
    );
    const sweep = () =>
      applyFaceRetention(rt.matches, rt.store, clock.now(), config.retentionFaces)
        .then((n) => n > 0 && log.info({ deleted: n }, 'face retention: sightings deleted'))
        .catch((err) => log.warn({ err }, 'face retention failed'));
    await sweep();
    this.timer = setInterval(sweep, config.maintenanceInterval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    const rt = this.runtime;
    this.runtime = undefined;
    await rt?.release();
  }
}
