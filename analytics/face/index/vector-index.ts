// Nearest enrolled faces by Euclidean distance between unit-length descriptors, exact, in memory.
// Vectors are turned onto their principal axes (a rotation: distances are unchanged, but most of a pair's distance
// shows in the first axes) and stored 8 axes per block. A radius query adds up block by block and drops a candidate
// as soon as it is out of reach, which for strangers happens after a few axes; the passes run as WebAssembly SIMD
// (block-scan.ts). Measured alternatives that did not pay on descriptor-shaped data (100,000 identities, radius 0.30,
// where the radius is large next to the spread of faces — median distance between two people is ~0.50): an
// inverted file over 316 k-means cells, made exact with the Voronoi bisector bound, still had to open 99 % of the
// rows; boxes over the leading axes of k-d leaves ruled out only 12 %; a bound from the norms of the remaining axes
// dropped under 1 % more rows (same synthetic set as the faces benchmark, measured once; the scripts were not kept).
import { covariance, rotate, symmetricEigen } from './pca.ts';
import { BLOCK, blockScanner, type BlockScanner } from './block-scan.ts';

export const DIM = 128;
/** Below this many vectors the axes are not worth computing; the identity is used. */
const PCA_MIN = 256;
/** Vectors sampled to estimate the axes. */
const PCA_SAMPLE = 2048;
/** The SIMD passes add float32s; survivors are rechecked in float64, so the passes use a slightly wider radius. */
const F32_SLACK = 1 + 1e-4;

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

export interface VectorIndexOptions {
  /** Use the WebAssembly SIMD passes when the runtime has them (default); false forces plain JavaScript. */
  simd?: boolean;
}

/** Rows of an existing index carried into a new one as they are (already turned onto `basis`). */
interface Carried<M> {
  from: VectorIndex<M>;
  rows: readonly number[];
}

export class VectorIndex<M> {
  private readonly scan: BlockScanner;
  private readonly options: VectorIndexOptions;
  /** Each row's meta, in row order. */
  readonly metas: readonly M[];
  private readonly basis: Float64Array | undefined;

  /** `carried` is for withChanges: rows copied from another index that has axes, ahead of `entries`. */
  constructor(entries: readonly IndexEntry<M>[], options: VectorIndexOptions = {}, carried?: Carried<M>) {
    const kept = carried?.rows.length ?? 0;
    const n = kept + entries.length;
    this.options = options;
    this.metas = [...(carried ? carried.rows.map((i) => carried.from.metas[i]) : []), ...entries.map((e) => e.meta)];
    const unit = entries.map((e) => normalise(e.descriptor));
    if (carried) this.basis = carried.from.basis;
    else if (n >= PCA_MIN) {
      const step = Math.max(1, Math.floor(n / PCA_SAMPLE));
      this.basis = symmetricEigen(
        covariance(
          unit.filter((_, i) => i % step === 0),
          DIM,
        ),
        DIM,
      ).vectors;
    }
    this.scan = blockScanner(n, DIM / BLOCK, options.simd ?? true);
    const { blocks } = this.scan;
    if (carried) copyRows(carried.from.scan.blocks, carried.from.size, carried.rows, blocks, n);
    const r = new Float32Array(DIM);
    unit.forEach((u, k) => {
      const v = this.basis ? rotate(this.basis, u, DIM, r) : u;
      for (let b = 0; b < DIM / BLOCK; b++) blocks.set(v.subarray(b * BLOCK, (b + 1) * BLOCK), (b * n + kept + k) * BLOCK);
    });
  }

  /**
   * A new index holding the entries `keep` accepts and `added`. The axes and the kept rows, already turned onto
   * them, are reused: only the added vectors are turned, so a watch-list change costs a copy, not a rebuild. The
   * answers stay exact (any rotation keeps distances); axes computed from an older set only prune a little less.
   */
  withChanges(keep: (meta: M) => boolean, added: readonly IndexEntry<M>[]): VectorIndex<M> {
    const rows: number[] = [];
    for (let i = 0; i < this.metas.length; i++) if (keep(this.metas[i])) rows.push(i);
    // Without axes (a small index) the rows are the unit vectors themselves: rebuilt, it may now get axes.
    if (!this.basis)
      return new VectorIndex([...rows.map((i) => ({ descriptor: this.row(i), meta: this.metas[i] })), ...added], this.options);
    return new VectorIndex(added, this.options, { from: this, rows });
  }

  /** The stored vector of a row (turned onto the axes when the index has them). */
  private row(i: number): Float32Array {
    const out = new Float32Array(DIM);
    const n = this.metas.length;
    for (let b = 0; b < DIM / BLOCK; b++) out.set(this.scan.blocks.subarray((b * n + i) * BLOCK, (b * n + i + 1) * BLOCK), b * BLOCK);
    return out;
  }

  get size(): number {
    return this.metas.length;
  }

  /** Bytes held by the stored vectors and the scan's work arrays (the WebAssembly memory). */
  get memoryBytes(): number {
    return this.scan.memory.buffer.byteLength;
  }

  /** Whether the passes run as WebAssembly SIMD. */
  get simd(): boolean {
    return this.scan.simd;
  }

  /**
   * Every entry within `radius` of `query`, nearest first, at most `k`. Block by block, only the rows still within
   * reach are carried on, so memory is read in order and most rows are dropped after the first axes.
   */
  within(query: ArrayLike<number>, radius: number, k = 10): Neighbour<M>[] {
    const q = this.basis ? rotate(this.basis, normalise(query), DIM) : normalise(query);
    const r2 = radius * radius;
    const wide = r2 * F32_SLACK;
    const n = this.metas.length;
    const { scan } = this;
    let m = 0;
    for (let b = 0; b < DIM / BLOCK && (b === 0 || m > 0); b++) {
      scan.query.set(q.subarray(b * BLOCK, (b + 1) * BLOCK));
      m = b === 0 ? scan.first(0, n, wide) : scan.next(b, m, wide);
    }
    const hits: { row: number; d2: number }[] = [];
    for (let i = 0; i < m; i++) {
      const row = scan.alive[i];
      let d2 = 0;
      for (let b = 0; b < DIM / BLOCK; b++) {
        const x = (b * n + row) * BLOCK;
        for (let j = 0; j < BLOCK; j++) d2 += (scan.blocks[x + j] - q[b * BLOCK + j]) ** 2;
      }
      if (d2 <= r2) hits.push({ row, d2 });
    }
    hits.sort((a, b) => a.d2 - b.d2);
    return hits.slice(0, k).map((h) => ({ meta: this.metas[h.row], distance: Math.sqrt(h.d2) }));
  }
}

/** Copies rows `rows` of an index of `m` rows into the first rows of one of `n` rows, block by block, runs at once. */
function copyRows(src: Float32Array, m: number, rows: readonly number[], dst: Float32Array, n: number): void {
  for (let j = 0; j < rows.length;) {
    let len = 1;
    while (j + len < rows.length && rows[j + len] === rows[j] + len) len++;
    for (let b = 0; b < DIM / BLOCK; b++)
      dst.set(src.subarray((b * m + rows[j]) * BLOCK, (b * m + rows[j] + len) * BLOCK), (b * n + j) * BLOCK);
    j += len;
  }
}
