import { describe, expect, it } from 'vitest';
import { DIM, VectorIndex, distance, normalise } from './vector-index.ts';

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const vec = (r: () => number) => Float32Array.from({ length: DIM }, r);

describe('vector index', () => {
  it('when queried, then it returns exactly the entries within the radius, nearest first', () => {
    const r = rand(7);
    const entries = Array.from({ length: 2000 }, (_, i) => ({ descriptor: vec(r), meta: i }));
    const index = new VectorIndex(entries);
    const q = entries[42].descriptor.map((x) => x + r() * 0.01);
    const brute = entries.map((e) => ({ meta: e.meta, distance: distance(q, e.descriptor) })).sort((a, b) => a.distance - b.distance);
    const radius = brute[5].distance + 1e-6;
    const got = index.within(q, radius, 100);
    expect(got.map((g) => g.meta)).toEqual(brute.slice(0, 6).map((b) => b.meta));
    expect(got[0].meta).toBe(42);
    got.forEach((g, i) => expect(g.distance).toBeCloseTo(brute[i].distance, 5));
  });

  it('when a vector is scaled, then its distance to the original is zero', () => {
    const v = vec(rand(3));
    expect(distance(v, v.map((x) => x * 3))).toBeCloseTo(0, 6);
    expect(Math.hypot(...normalise(v))).toBeCloseTo(1, 6);
  });
});
