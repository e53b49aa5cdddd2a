// What the face service and the watch-list routes share in one process: the worker pool, the index, the
// enrolment and matching logic. Created once per ServiceContext, so the all-in-one start runs one pool.
import { cpus } from 'node:os';
import type { ServiceContext } from '../../core/service.ts';
import type { WatchlistChanged } from '../../core/events/index.ts';
import { WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import { FaceMatchesRepository } from '../../core/db/repositories/face-matches.repository.ts';
import { FaceAuditRepository } from '../../core/db/repositories/face-audit.repository.ts';
import { AlertsService } from '../alerts/alerts.service.ts';
import type { BackendName } from './engine/backend.ts';
import { FacePool } from './workers/face-pool.ts';
import { FaceStore } from './face-store.ts';
import { WatchlistIndex } from './watchlist-index.ts';
import { Enrolment } from './enrolment.ts';
import { FaceMatcher } from './matching.ts';

export interface FaceRuntimeOptions {
  workers?: number;
  backends?: readonly BackendName[];
  /** Shared-subscription group for face captures (default `analytics`, shared with the other analytics workers). */
  group?: string;
}

export interface FaceRuntime {
  pool: FacePool;
  index: WatchlistIndex;
  store: FaceStore;
  watchlists: WatchlistsRepository;
  matches: FaceMatchesRepository;
  audit: FaceAuditRepository;
  enrolment: Enrolment;
  matcher: FaceMatcher;
  threshold: number;
  /** Tells every process's index (and this one's) that a list changed. */
  changed(watchlistId: string, change: WatchlistChanged['change'], personId?: string): Promise<void>;
  /** Gives back one `acquireFaceRuntime`; the last release stops the workers. */
  release(): Promise<void>;
}

interface Entry {
  runtime: Promise<FaceRuntime>;
  refs: number;
}
const runtimes = new WeakMap<ServiceContext, Entry>();

/**
 * The runtime of this context, created on first use; each acquire is paired with one `release()`. The face
 * service and the enrolment routes both hold it, so it lives as long as either needs it.
 */
export function acquireFaceRuntime(ctx: ServiceContext, opts: FaceRuntimeOptions = {}): Promise<FaceRuntime> {
  let entry = runtimes.get(ctx);
  if (!entry) {
    const runtime = createFaceRuntime(ctx, opts, () => {
      if (--entry!.refs > 0) return false;
      runtimes.delete(ctx);
      return true;
    });
    entry = { runtime, refs: 0 };
    runtimes.set(ctx, entry);
    runtime.catch(() => runtimes.delete(ctx));
  }
  entry.refs++;
  return entry.runtime;
}

async function createFaceRuntime(ctx: ServiceContext, opts: FaceRuntimeOptions, lastRelease: () => boolean): Promise<FaceRuntime> {
  const { config, db, log, clock } = ctx;
  // Checked when the configuration is loaded (a decimal in (0, 2)).
  const threshold = config.faceThreshold;
  const wanted = config.faceThresholdWanted;
  const pool = await FacePool.start({
    workers: opts.workers ?? config.faceWorkers ?? cpus().length,
    queueMax: config.faceQueueMax,
    backends: opts.backends,
    log,
  });
  const info = pool.info!;
  log.info(
    { backend: info.backend, simd: info.simd, skipped: info.skipped, workers: pool.size },
    `face recognition on TensorFlow.js ${info.tfVersion}, backend ${info.backend}`,
  );
  const store = new FaceStore(config.dataDir);
  const watchlists = new WatchlistsRepository(db);
  const matches = new FaceMatchesRepository(db);
  const index = new WatchlistIndex(watchlists, { wanted, banned: threshold, residents: threshold }, log);
  await index.rebuild();
  const enrolment = new Enrolment(
    pool,
    watchlists,
    store,
    { minFaceSize: config.faceMinSize, minSharpness: config.faceMinSharpness },
    clock,
  );
  const matcher = new FaceMatcher({ ctx, pool, index, store, matches, watchlists, alerts: new AlertsService(ctx) });
  return {
    pool,
    index,
    store,
    watchlists,
    matches,
    audit: new FaceAuditRepository(db),
    enrolment,
    matcher,
    threshold,
    async changed(watchlistId, change, personId) {
      const message: WatchlistChanged = { watchlistId, change, ts: clock.now().toISOString(), ...(personId ? { personId } : {}) };
      await index.apply(message);
      await ctx.bus.publish('watchlistChanged', { watchlistId }, message);
    },
    async release() {
      if (lastRelease()) await pool.close();
    },
  };
}
