// Nearest enrolled faces by Euclidean distance between unit-length descriptors, exact, in memory.
// Vectors sit in one Float32Array, turned onto their principal axes (a rotation: distances are unchanged, but
// most of a pair's distance shows in the first axes). A radius query stops adding up a candidate as soon as it is
// out of reach, which for strangers happens after a few axes — that keeps 100,000 identities fast.
import { covariance, rotate, symmetricEigen } from './pca.ts';

export const DIM = 128;
/** Below this many vectors the axes are not worth computing; the identity is used. */
const PCA_MIN = 256;
/** Vectors sampled to estimate the axes. */
const PCA_SAMPLE = 2048;
/** Axes per block (the loop below is written out for 8). */
const BLOCK = 8;

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
  /** BLOCK axes of every vector per array: block b holds axes b·BLOCK… of row r at r·BLOCK, scanned in order. */
  private readonly blocks: Float32Array[];
  private readonly metas: M[];
  private readonly basis: Float64Array | undefined;
  private readonly partial: Float32Array;
  private readonly alive: Int32Array;

  constructor(entries: readonly IndexEntry<M>[]) {
    const n = entries.length;
    this.metas = entries.map((e) => e.meta);
    const unit = entries.map((e) => normalise(e.descriptor));
    if (n >= PCA_MIN) {
      const step = Math.max(1, Math.floor(n / PCA_SAMPLE));
      this.basis = symmetricEigen(covariance(unit.filter((_, i) => i % step === 0), DIM), DIM).vectors;
    }
    this.blocks = Array.from({ length: DIM / BLOCK }, () => new Float32Array(n * BLOCK));
    const r = new Float32Array(DIM);
    unit.forEach((u, row) => {
      const v = this.basis ? rotate(this.basis, u, DIM, r) : u;
      for (let b = 0; b < DIM / BLOCK; b++) this.blocks[b].set(v.subarray(b * BLOCK, (b + 1) * BLOCK), row * BLOCK);
    });
    this.partial = new Float32Array(n);
    this.alive = new Int32Array(n);
  }

  get size(): number {
    return this.metas.length;
  }

  /**
   * Every entry within `radius` of `query`, nearest first, at most `k`. Block by block, only the rows still within
   * reach are carried on, so memory is read in order and most rows are dropped after the first axes.
   */
  within(query: ArrayLike<number>, radius: number, k = 10): Neighbour<M>[] {
    const q = this.basis ? rotate(this.basis, normalise(query), DIM) : normalise(query);
    const r2 = radius * radius;
    const { partial, alive } = this;
    const n = this.metas.length;
    // First block over every row, in memory order.
    const v0 = this.blocks[0];
    const q0 = q[0], q1 = q[1], q2 = q[2], q3 = q[3], q4 = q[4], q5 = q[5], q6 = q[6], q7 = q[7];
    let m = 0;
    for (let row = 0, x = 0; row < n; row++, x += BLOCK) {
      const d0 = v0[x] - q0, d1 = v0[x + 1] - q1, d2 = v0[x + 2] - q2, d3 = v0[x + 3] - q3;
      const d4 = v0[x + 4] - q4, d5 = v0[x + 5] - q5, d6 = v0[x + 6] - q6, d7 = v0[x + 7] - q7;
      const s = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7;
      if (s <= r2) {
        partial[row] = s;
        alive[m++] = row;
      }
    }
    // Then each further block over the rows still within reach.
    for (let b = 1; b < DIM / BLOCK && m > 0; b++) {
      const v = this.blocks[b];
      const o = b * BLOCK;
      const p0 = q[o], p1 = q[o + 1], p2 = q[o + 2], p3 = q[o + 3], p4 = q[o + 4], p5 = q[o + 5], p6 = q[o + 6], p7 = q[o + 7];
      let kept = 0;
      for (let i = 0; i < m; i++) {
        const row = alive[i];
        const x = row * BLOCK;
        const d0 = v[x] - p0, d1 = v[x + 1] - p1, d2 = v[x + 2] - p2, d3 = v[x + 3] - p3;
        const d4 = v[x + 4] - p4, d5 = v[x + 5] - p5, d6 = v[x + 6] - p6, d7 = v[x + 7] - p7;
        const s = partial[row] + d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7;
        if (s <= r2) {
          partial[row] = s;
          alive[kept++] = row;
        }
      }
      m = kept;
    }
    const hits = Array.from(alive.subarray(0, m), (row) => ({ row, d2: partial[row] }));
    hits.sort((a, b) => a.d2 - b.d2);
    return hits.slice(0, k).map((h) => ({ meta: this.metas[h.row], distance: Math.sqrt(h.d2) }));
  }
}
