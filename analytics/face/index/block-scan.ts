// The inner loops of the vector index's radius search, as a small WebAssembly module using 128-bit SIMD (four
// float32 lanes), with the same loops in plain JavaScript where WebAssembly SIMD is missing. Plain JavaScript adds
// up one float64 at a time; the SIMD loop does four per instruction and never branches on a row, which cuts the CPU
// time of a 100,000-face search about 3× on the 2-core bench machine (faces benchmark, both rows). The module is
// written out as bytes below (there is no compiler in the toolchain); every instruction carries its text-format name.
//
// Memory layout shared by both versions (byte offsets): the 8 query axes of the current block at 0, then `blocks`
// arrays of n×8 float32 (block b, row r at QUERY_BYTES + (b·n + r)·32), then `alive` (n int32), then `partial`
// (n float32). Sums are float32 here; the caller widens the radius a little and rechecks survivors in float64.
export const BLOCK = 8;
const QUERY_BYTES = 64;
const PAGE = 65536;

/** One scan pass: returns how many rows are still within reach; their ids and partial sums are in alive/partial. */
export interface BlockScanner {
  readonly memory: WebAssembly.Memory;
  readonly simd: boolean;
  /** Block `b` of row `r`, the query block, the survivor ids and their partial sums, as views on the memory. */
  readonly blocks: Float32Array;
  readonly query: Float32Array;
  readonly alive: Int32Array;
  readonly partial: Float32Array;
  /** Rows [from, to) of block 0 against the query block; survivors appended from index 0. */
  first(from: number, to: number, r2: number): number;
  /** Block `b` over the `m` survivors, keeping those still within r2 (in place, in order). */
  next(b: number, m: number, r2: number): number;
}

const leb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return out;
};
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...s].map((c) => [c.charCodeAt(0)]));
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];

// Opcodes (text-format names).
const I32 = 0x7f,
  F32 = 0x7d,
  V128 = 0x7b;
const block = [0x02, 0x40],
  loop = [0x03, 0x40],
  end = [0x0b],
  brIf = (d: number) => [0x0d, d];
const get = (i: number) => [0x20, i],
  set = (i: number) => [0x21, i],
  tee = (i: number) => [0x22, i];
const i32Const = (v: number) => [0x41, ...leb(v)]; // values below 64 only (signed LEB128 = unsigned there)
const i32Load = [0x28, 2, 0],
  i32Store = [0x36, 2, 0],
  f32Load = [0x2a, 2, 0],
  f32Store = [0x38, 2, 0];
const i32Add = [0x6a],
  i32Shl = [0x74],
  i32ShrU = [0x76],
  i32LtU = [0x49],
  i32GeU = [0x4f],
  f32Le = [0x5f],
  f32Add = [0x92];
const v128Load = (offset: number) => [0xfd, 0x00, 2, ...leb(offset)];
const f32x4Sub = [0xfd, 0xe5, 0x01],
  f32x4Mul = [0xfd, 0xe6, 0x01],
  f32x4Add = [0xfd, 0xe4, 0x01];
const lane = (l: number) => [0xfd, 0x1f, l];

/** Σ (x[0..8) − q)² for the row at byte offset in local `x`, query halves in locals qa/qb, scratch va/vb. */
const squaredBlock = (x: number, qa: number, qb: number, va: number, vb: number): number[] => [
  ...get(x),
  ...v128Load(0),
  ...get(qa),
  ...f32x4Sub,
  ...tee(va),
  ...get(va),
  ...f32x4Mul,
  ...get(x),
  ...v128Load(16),
  ...get(qb),
  ...f32x4Sub,
  ...tee(vb),
  ...get(vb),
  ...f32x4Mul,
  ...f32x4Add,
  ...tee(va),
  ...lane(0),
  ...get(va),
  ...lane(1),
  ...f32Add,
  ...get(va),
  ...lane(2),
  ...f32Add,
  ...get(va),
  ...lane(3),
  ...f32Add,
];
const loadQuery = (qa: number, qb: number): number[] => [
  ...i32Const(0),
  ...v128Load(0),
  ...set(qa),
  ...i32Const(0),
  ...v128Load(16),
  ...set(qb),
];

// first(x, xEnd, row, r2, alive, partial) -> m
// locals: 6 m·4 (i32), 7 qa, 8 qb, 9 va, 10 vb (v128), 11 s (f32)
const firstBody = [
  ...vec([
    [1, I32],
    [4, V128],
    [1, F32],
  ]),
  ...loadQuery(7, 8),
  ...block,
  ...get(0),
  ...get(1),
  ...i32GeU,
  ...brIf(0),
  ...loop,
  ...squaredBlock(0, 7, 8, 9, 10),
  ...set(11),
  ...get(6),
  ...get(5),
  ...i32Add,
  ...get(11),
  ...f32Store, // partial[m] = s
  ...get(6),
  ...get(4),
  ...i32Add,
  ...get(2),
  ...i32Store, // alive[m] = row
  ...get(6),
  ...get(11),
  ...get(3),
  ...f32Le,
  ...i32Const(2),
  ...i32Shl,
  ...i32Add,
  ...set(6), // m += s <= r2
  ...get(2),
  ...i32Const(1),
  ...i32Add,
  ...set(2),
  ...get(0),
  ...i32Const(32),
  ...i32Add,
  ...tee(0),
  ...get(1),
  ...i32LtU,
  ...brIf(0),
  ...end,
  ...end,
  ...get(6),
  ...i32Const(2),
  ...i32ShrU,
  ...end,
];

// next(blockBase, m·4, r2, alive, partial) -> kept
// locals: 5 i·4, 6 kept·4, 7 row, 8 x (i32), 9 qa, 10 qb, 11 va, 12 vb (v128), 13 s (f32)
const nextBody = [
  ...vec([
    [4, I32],
    [4, V128],
    [1, F32],
  ]),
  ...loadQuery(9, 10),
  ...block,
  ...get(5),
  ...get(1),
  ...i32GeU,
  ...brIf(0),
  ...loop,
  ...get(3),
  ...get(5),
  ...i32Add,
  ...i32Load,
  ...tee(7),
  ...i32Const(5),
  ...i32Shl,
  ...get(0),
  ...i32Add,
  ...set(8),
  ...squaredBlock(8, 9, 10, 11, 12),
  ...get(4),
  ...get(5),
  ...i32Add,
  ...f32Load,
  ...f32Add,
  ...set(13),
  ...get(6),
  ...get(4),
  ...i32Add,
  ...get(13),
  ...f32Store,
  ...get(6),
  ...get(3),
  ...i32Add,
  ...get(7),
  ...i32Store,
  ...get(6),
  ...get(13),
  ...get(2),
  ...f32Le,
  ...i32Const(2),
  ...i32Shl,
  ...i32Add,
  ...set(6),
  ...get(5),
  ...i32Const(4),
  ...i32Add,
  ...tee(5),
  ...get(1),
  ...i32LtU,
  ...brIf(0),
  ...end,
  ...end,
  ...get(6),
  ...i32Const(2),
  ...i32ShrU,
  ...end,
];

const moduleBytes = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00,
  ...section(
    1,
    vec([
      [0x60, ...vec([[I32], [I32], [I32], [F32], [I32], [I32]]), ...vec([[I32]])],
      [0x60, ...vec([[I32], [I32], [F32], [I32], [I32]]), ...vec([[I32]])],
    ]),
  ),
  ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, 0x01]])),
  ...section(3, vec([[0], [1]])),
  ...section(
    7,
    vec([
      [...name('first'), 0x00, 0],
      [...name('next'), 0x00, 1],
    ]),
  ),
  ...section(10, vec([firstBody, nextBody].map((b) => [...leb(b.length), ...b]))),
]);

let compiled: WebAssembly.Module | undefined | null;
function simdModule(): WebAssembly.Module | undefined {
  if (compiled === undefined) compiled = WebAssembly.validate(moduleBytes) ? new WebAssembly.Module(moduleBytes) : null;
  return compiled ?? undefined;
}

/** Memory and scan passes for `n` rows of `blocks` blocks; `simd: false` forces the JavaScript loops. */
export function blockScanner(n: number, blocks: number, simd = true): BlockScanner {
  const blockBytes = n * BLOCK * 4;
  const aliveAt = QUERY_BYTES + blocks * blockBytes;
  const partialAt = aliveAt + n * 4;
  const memory = new WebAssembly.Memory({ initial: Math.max(1, Math.ceil((partialAt + n * 4) / PAGE)) });
  const views = {
    memory,
    blocks: new Float32Array(memory.buffer, QUERY_BYTES, blocks * n * BLOCK),
    query: new Float32Array(memory.buffer, 0, BLOCK),
    alive: new Int32Array(memory.buffer, aliveAt, n),
    partial: new Float32Array(memory.buffer, partialAt, n),
  };
  const mod = simd ? simdModule() : undefined;
  if (mod) {
    const e = new WebAssembly.Instance(mod, { env: { memory } }).exports as {
      first: (x: number, xEnd: number, row: number, r2: number, alive: number, partial: number) => number;
      next: (base: number, m4: number, r2: number, alive: number, partial: number) => number;
    };
    return {
      ...views,
      simd: true,
      first: (from, to, r2) => e.first(QUERY_BYTES + from * 32, QUERY_BYTES + to * 32, from, r2, aliveAt, partialAt),
      next: (b, m, r2) => e.next(QUERY_BYTES + b * blockBytes, m * 4, r2, aliveAt, partialAt),
    };
  }
  const { blocks: v, query: q, alive, partial } = views;
  return {
    ...views,
    simd: false,
    first(from, to, r2) {
      const q0 = q[0],
        q1 = q[1],
        q2 = q[2],
        q3 = q[3],
        q4 = q[4],
        q5 = q[5],
        q6 = q[6],
        q7 = q[7];
      let m = 0;
      for (let row = from, x = from * BLOCK; row < to; row++, x += BLOCK) {
        const d0 = v[x] - q0,
          d1 = v[x + 1] - q1,
          d2 = v[x + 2] - q2,
          d3 = v[x + 3] - q3;
        const d4 = v[x + 4] - q4,
          d5 = v[x + 5] - q5,
          d6 = v[x + 6] - q6,
          d7 = v[x + 7] - q7;
        const s = d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7;
        if (s <= r2) {
          partial[m] = s;
          alive[m++] = row;
        }
      }
      return m;
    },
    next(b, m, r2) {
      const q0 = q[0],
        q1 = q[1],
        q2 = q[2],
        q3 = q[3],
        q4 = q[4],
        q5 = q[5],
        q6 = q[6],
        q7 = q[7];
      const base = b * n * BLOCK;
      let kept = 0;
      for (let i = 0; i < m; i++) {
        const row = alive[i];
        const x = base + row * BLOCK;
        const d0 = v[x] - q0,
          d1 = v[x + 1] - q1,
          d2 = v[x + 2] - q2,
          d3 = v[x + 3] - q3;
        const d4 = v[x + 4] - q4,
          d5 = v[x + 5] - q5,
          d6 = v[x + 6] - q6,
          d7 = v[x + 7] - q7;
        const s = partial[i] + d0 * d0 + d1 * d1 + d2 * d2 + d3 * d3 + d4 * d4 + d5 * d5 + d6 * d6 + d7 * d7;
        if (s <= r2) {
          partial[kept] = s;
          alive[kept++] = row;
        }
      }
      return kept;
    },
  };
}
