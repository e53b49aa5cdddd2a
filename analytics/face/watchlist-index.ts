// The in-memory index of every enrolled face, loaded from PostgreSQL and updated person by person as lists change; answers
// "who on which list is this face, and how far" with each list's own threshold.
import { VectorIndex } from './index/vector-index.ts';
import type { EnrolledFace, WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import type { WatchlistChanged } from '../../core/events/index.ts';
import type { Logger } from '../../core/log.ts';

export type Candidate = Meta & { distance: number; threshold: number };

type Meta = Omit<EnrolledFace, 'descriptor'>;

/** Default threshold of a list by its level (a list's own threshold wins): 'wanted' trades false alerts for recall. */
export type LevelThresholds = Record<Meta['level'], number>;

/** Rows changed since the axes were computed, as a share of the rows then, past which a change rebuilds in full. */
const REBUILD_SHARE = 0.25;

export class WatchlistIndex {
  private index = new VectorIndex<Meta>([]);
  /** Rebuilds and changes run one after another, in arrival order. */
  private tail: Promise<void> = Promise.resolve();
  /** A full rebuild queued and not started yet: later callers share it. */
  private queuedRebuild: Promise<void> | undefined;
  private rowsAtBuild = 0;
  private rowsChanged = 0;
  /** Lists may be stricter or looser than the default; the loosest bounds the search radius. */
  private widest: number;
  builtAt?: Date;
  /** Background rebuilds that failed (the index keeps its last rows and axes until the next one). */
  rebuildFailures = 0;

  constructor(
    private readonly repo: WatchlistsRepository,
    defaults: number | LevelThresholds,
    private readonly log?: Pick<Logger, 'warn'>,
  ) {
    this.defaults = typeof defaults === 'number' ? { wanted: defaults, banned: defaults, residents: defaults } : defaults;
    this.widest = Math.max(...Object.values(this.defaults));
  }

  private readonly defaults: LevelThresholds;

  private thresholdOf(m: Meta): number {
    return m.threshold ?? this.defaults[m.level];
  }

  get size(): number {
    return this.index.size;
  }

  /** Reloads every embedding and computes the axes anew; calls made while one is queued share it. */
  rebuild(): Promise<void> {
    if (this.queuedRebuild) return this.queuedRebuild;
    const run = this.enqueue(async () => {
      // From here on the database may change again: a later call queues another rebuild.
      this.queuedRebuild = undefined;
      await this.loadAll();
    });
    this.queuedRebuild = run;
    return run;
  }

  /**
   * Updates the index for one change: a person's rows replaced or removed, a list's rows dropped, without reloading
   * the rest. Idempotent (the bus may deliver a change twice); without a person id it rebuilds in full.
   */
  apply(c: Pick<WatchlistChanged, 'watchlistId' | 'change' | 'personId'>): Promise<void> {
    if (c.change !== 'created' && c.change !== 'deleted' && !c.personId) return this.rebuild();
    return this.enqueue(async () => {
      if (c.change === 'created') return;
      const added = c.change === 'person_added' ? await this.repo.enrolledFaces({ personId: c.personId }) : [];
      const keep = c.change === 'deleted' ? (m: Meta) => m.watchlistId !== c.watchlistId : (m: Meta) => m.personId !== c.personId;
      const before = this.index.size;
      this.use(
        this.index.withChanges(
          keep,
          added.map(({ descriptor, ...meta }) => ({ descriptor, meta })),
        ),
      );
      const removed = before + added.length - this.index.size;
      this.rowsChanged += removed + added.length;
      // The axes come from the rows of the last full build: after many changes, compute them again (in the background).
      if (this.rowsChanged > Math.max(256, this.rowsAtBuild * REBUILD_SHARE))
        void this.rebuild().catch((err: unknown) => {
          this.rebuildFailures++;
          this.log?.warn({ err, rowsChanged: this.rowsChanged }, 'face index rebuild failed; the next change tries again');
        });
    });
  }

  private async loadAll(): Promise<void> {
    const faces = await this.repo.enrolledFaces();
    this.use(new VectorIndex(faces.map(({ descriptor, ...meta }) => ({ descriptor, meta }))));
    this.rowsAtBuild = faces.length;
    this.rowsChanged = 0;
  }

  private use(index: VectorIndex<Meta>): void {
    this.index = index;
    this.widest = index.metas.reduce((w, m) => Math.max(w, this.thresholdOf(m)), Math.max(...Object.values(this.defaults)));
    this.builtAt = new Date();
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = this.tail.then(op);
    this.tail = run.catch(() => {});
    return run;
  }

  /** Enrolled persons under their list's threshold, nearest first, one entry per person. */
  matches(descriptor: ArrayLike<number>, k = 10): Candidate[] {
    return this.nearest(descriptor, this.maxThreshold(), k * 4)
      .filter((c) => c.distance <= c.threshold)
      .slice(0, k);
  }

  /** Nearest persons within `radius`, whatever their list's threshold, one entry per person. */
  nearest(descriptor: ArrayLike<number>, radius: number, k = 10): Candidate[] {
    const seen = new Set<string>();
    const out: Candidate[] = [];
    for (const n of this.index.within(descriptor, radius, k * 4)) {
      if (seen.has(n.meta.personId)) continue;
      seen.add(n.meta.personId);
      out.push({ ...n.meta, distance: n.distance, threshold: this.thresholdOf(n.meta) });
      if (out.length >= k) break;
    }
    return out;
  }

  private maxThreshold(): number {
    return this.widest;
  }
}
