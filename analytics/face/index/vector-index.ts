// Nearest enrolled faces by Euclidean distance between unit-length descriptors, exact, in memory.
// Vectors sit in one Float32Array; a radius query stops adding up a candidate as soon as it is out of reach,
// which skips most of the arithmetic for strangers (different faces are far apart) and keeps 100,000 identities fast.
export const DIM = 128;

export interface IndexEntry<M> {
  descriptor: ArrayLike<number>;
  meta: M;
}

export interface Neighbour<M> {
  meta: M;
  distance: number;
}

/** Copy of `v` scaled to unit length (a zero vector stays zero). */
export function normalise(v: ArrayLike<number>): Float32Array {
  const out = new Float32Array(DIM);
  let sq = 0;
  for (let i = 0; i < DIM; i++) sq += v[i] * v[i];
  const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
  for (let i = 0; i < DIM; i++) out[i] = v[i] * inv;
  return out;
}

export function distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x = normalise(a);
  const y = normalise(b);
  let s = 0;
  for (let i = 0; i < DIM; i++) s += (x[i] - y[i]) ** 2;
  return Math.sqrt(s);
}

export class VectorIndex<M> {
  private readonly vectors: Float32Array;
  private readonly metas: M[];

  constructor(entries: readonly IndexEntry<M>[]) {
    this.vectors = new Float32Array(entries.length * DIM);
    this.metas = entries.map((e) => e.meta);
    entries.forEach((e, i) => this.vectors.set(normalise(e.descriptor), i * DIM));
  }

  get size(): number {
    return this.metas.length;
  }

  /** Every entry within `radius` of `query`, nearest first, at most `k`. */
  within(query: ArrayLike<number>, radius: number, k = 10): Neighbour<M>[] {
    const q = normalise(query);
    const v = this.vectors;
    const r2 = radius * radius;
    const hits: { i: number; d2: number }[] = [];
    const n = this.metas.length;
    for (let row = 0; row < n; row++) {
      const base = row * DIM;
      let s = 0;
      // Blocks of 16 between checks: the check costs less than the arithmetic it saves.
      for (let j = 0; j < DIM; j += 16) {
        for (let t = j; t < j + 16; t++) {
          const d = v[base + t] - q[t];
          s += d * d;
        }
        if (s > r2) break;
      }
      if (s <= r2) hits.push({ i: row, d2: s });
    }
    hits.sort((a, b) => a.d2 - b.d2);
    return hits.slice(0, k).map((h) => ({ meta: this.metas[h.i], distance: Math.sqrt(h.d2) }));
  }
}
