// The in-memory index of every enrolled face, rebuilt from PostgreSQL whenever a list changes; answers
// "who on which list is this face, and how far" with each list's own threshold.
import { VectorIndex } from './index/vector-index.ts';
import type { EnrolledFace, WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';

export type Candidate = Omit<EnrolledFace, 'descriptor'> & { distance: number; threshold: number };

export class WatchlistIndex {
  private index = new VectorIndex<Omit<EnrolledFace, 'descriptor'>>([]);
  private rebuilding: Promise<void> | undefined;
  private again = false;
  /** Lists may be stricter or looser than the default; the loosest bounds the search radius. */
  private widest: number;
  builtAt?: Date;

  constructor(
    private readonly repo: WatchlistsRepository,
    private readonly defaultThreshold: number,
  ) {
    this.widest = defaultThreshold;
  }

  get size(): number {
    return this.index.size;
  }

  /** Reloads every embedding; calls that arrive during a rebuild cause one more rebuild after it. */
  rebuild(): Promise<void> {
    if (this.rebuilding) {
      this.again = true;
      return this.rebuilding;
    }
    this.rebuilding = (async () => {
      try {
        do {
          this.again = false;
          const faces = await this.repo.enrolledFaces();
          this.index = new VectorIndex(faces.map(({ descriptor, ...meta }) => ({ descriptor, meta })));
          this.widest = faces.reduce((w, f) => Math.max(w, f.threshold ?? 0), this.defaultThreshold);
          this.builtAt = new Date();
        } while (this.again);
      } finally {
        this.rebuilding = undefined;
      }
    })();
    return this.rebuilding;
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
      out.push({ ...n.meta, distance: n.distance, threshold: n.meta.threshold ?? this.defaultThreshold });
      if (out.length >= k) break;
    }
    return out;
  }

  private maxThreshold(): number {
    return this.widest;
  }
}
