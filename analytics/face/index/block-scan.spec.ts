import { describe, expect, it } from 'vitest';
import { BLOCK, blockScanner } from './block-scan.ts';

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

describe('block scan', () => {
  it('when the SIMD and JavaScript passes scan the same rows, then they keep the same rows with the same sums', () => {
    const n = 777;
    const simd = blockScanner(n, 3, true);
    const js = blockScanner(n, 3, false);
    expect([simd.simd, js.simd]).toEqual([true, false]);
    const r = rand(4);
    for (let i = 0; i < n * 3 * BLOCK; i++) simd.blocks[i] = js.blocks[i] = r() * 0.3;
    const query = Float32Array.from({ length: 3 * BLOCK }, () => r() * 0.3);
    const r2 = 1.2;
    let counts: number[] = [];
    for (const s of [simd, js]) {
      s.query.set(query.subarray(0, BLOCK));
      let m = s.first(5, n - 3, r2);
      const seen = [m];
      for (let b = 1; b < 3; b++) {
        s.query.set(query.subarray(b * BLOCK, (b + 1) * BLOCK));
        m = s.next(b, m, r2);
        seen.push(m);
      }
      counts = counts.length ? counts : seen;
      expect(seen).toEqual(counts);
    }
    const m = counts[2];
    expect(m).toBeGreaterThan(0);
    expect(Array.from(simd.alive.subarray(0, m))).toEqual(Array.from(js.alive.subarray(0, m)));
    for (let i = 0; i < m; i++) expect(simd.partial[i]).toBeCloseTo(js.partial[i], 5);
    // Every kept row really is within reach over all three blocks, and every dropped row is not.
    const kept = new Set(simd.alive.subarray(0, m));
    for (let row = 5; row < n - 3; row++) {
      let d2 = 0;
      for (let b = 0; b < 3; b++)
        for (let j = 0; j < BLOCK; j++) d2 += (simd.blocks[(b * n + row) * BLOCK + j] - query[b * BLOCK + j]) ** 2;
      if (Math.abs(d2 - r2) > 1e-5) expect(kept.has(row)).toBe(d2 <= r2);
    }
  });
});
