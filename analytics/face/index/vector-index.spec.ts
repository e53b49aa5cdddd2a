import { describe, expect, it } from 'vitest';
import { DIM, VectorIndex, distance, normalise } from './vector-index.ts';

function rand(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const vec = (r: () => number) => Float32Array.from({ length: DIM }, r);

/** `count` descriptors around `centres` shared centres (people with many photos), plus a common offset like real ones. */
function clustered(r: () => number, count: number, centres: number, spread: number): Float32Array[] {
  const common = vec(r).map((x) => x * 2);
  const cs = Array.from({ length: centres }, () => vec(r).map((x, i) => x + common[i]));
  return Array.from({ length: count }, (_, i) => cs[i % centres].map((x) => x + r() * spread));
}

/** Radius half-way between the j-th and (j+1)-th nearest, so float rounding cannot decide membership. */
function bruteForce(entries: { descriptor: Float32Array; meta: number }[], q: ArrayLike<number>) {
  return entries.map((e) => ({ meta: e.meta, distance: distance(q, e.descriptor) })).sort((a, b) => a.distance - b.distance);
}

for (const simd of [true, false]) {
  describe(`vector index (${simd ? 'WebAssembly SIMD' : 'JavaScript'} passes)`, () => {
    it('when queried, then it returns exactly the entries within the radius, nearest first', () => {
      const r = rand(7);
      const entries = Array.from({ length: 2000 }, (_, i) => ({ descriptor: vec(r), meta: i }));
      const index = new VectorIndex(entries, { simd });
      const q = entries[42].descriptor.map((x) => x + r() * 0.01);
      const brute = bruteForce(entries, q);
      const radius = brute[5].distance + 1e-6;
      const got = index.within(q, radius, 100);
      expect(got.map((g) => g.meta)).toEqual(brute.slice(0, 6).map((b) => b.meta));
      expect(got[0].meta).toBe(42);
      got.forEach((g, i) => expect(g.distance).toBeCloseTo(brute[i].distance, 5));
    });

    it('when the data is clustered, then every query gets the brute-force answer at several radii', () => {
      const r = rand(11);
      const entries = clustered(r, 3000, 40, 0.35).map((descriptor, meta) => ({ descriptor, meta }));
      const index = new VectorIndex(entries, { simd });
      const queries = [...clustered(rand(12), 20, 40, 0.35), entries[5].descriptor, vec(r)];
      let nonEmpty = 0;
      for (const q of queries) {
        const brute = bruteForce(entries, q);
        for (const j of [0, 3, 30, 200]) {
          const radius = (brute[j].distance + brute[j + 1].distance) / 2;
          const got = index.within(q, radius, 1000);
          expect(got.map((g) => g.meta)).toEqual(brute.slice(0, j + 1).map((b) => b.meta));
          got.forEach((g, i) => expect(g.distance).toBeCloseTo(brute[i].distance, 5));
          nonEmpty += got.length > 0 ? 1 : 0;
        }
        if (brute[0].distance > 0) expect(index.within(q, brute[0].distance * 0.99, 10)).toEqual([]);
      }
      expect(nonEmpty).toBe(queries.length * 4);
    });

    it('when k is smaller than the matches, then the k nearest are returned', () => {
      const r = rand(5);
      const entries = clustered(r, 1000, 10, 0.3).map((descriptor, meta) => ({ descriptor, meta }));
      const index = new VectorIndex(entries, { simd });
      const brute = bruteForce(entries, entries[0].descriptor);
      expect(index.within(entries[0].descriptor, (brute[50].distance + brute[51].distance) / 2, 7).map((g) => g.meta)).toEqual(
        brute.slice(0, 7).map((b) => b.meta),
      );
    });

    it('when entries are removed and added with withChanges, then every query gets the brute-force answer of the new set', () => {
      // 3000 rows have axes (kept, rows copied); 200 do not, and 200 + 100 crosses the size where axes are computed.
      for (const [size, addCount] of [
        [3000, 150],
        [200, 100],
      ]) {
        const r = rand(size);
        const all = clustered(r, size + addCount, 40, 0.35).map((descriptor, meta) => ({ descriptor, meta }));
        const before = new VectorIndex(all.slice(0, size), { simd });
        const gone = (meta: number) => meta % 7 === 3 || (meta >= 1000 && meta < 1100);
        const after = before.withChanges((meta) => !gone(meta), all.slice(size));
        const expected = [...all.slice(0, size).filter((e) => !gone(e.meta)), ...all.slice(size)];
        expect(after.size).toBe(expected.length);
        expect(before.size).toBe(size);
        for (const q of [...clustered(rand(size + 1), 8, 40, 0.35), all[size + 5].descriptor, all[3].descriptor, all[4].descriptor]) {
          const brute = bruteForce(expected, q);
          for (const j of [0, 10, 60]) {
            const radius = (brute[j].distance + brute[j + 1].distance) / 2;
            const got = after.within(q, radius, 1000);
            expect(got.map((g) => g.meta)).toEqual(brute.slice(0, j + 1).map((b) => b.meta));
            got.forEach((g, i) => expect(g.distance).toBeCloseTo(brute[i].distance, 5));
          }
        }
      }
    });

    it('when the index is small or empty, then it still answers exactly', () => {
      const r = rand(9);
      const entries = Array.from({ length: 30 }, (_, i) => ({ descriptor: vec(r), meta: i }));
      const brute = bruteForce(entries, entries[3].descriptor);
      const radius = (brute[2].distance + brute[3].distance) / 2;
      expect(new VectorIndex(entries, { simd }).within(entries[3].descriptor, radius, 10).map((g) => g.meta)).toEqual(
        brute.slice(0, 3).map((b) => b.meta),
      );
      expect(new VectorIndex<number>([], { simd }).within(entries[0].descriptor, 2, 10)).toEqual([]);
    });
  });
}

describe('vector index', () => {
  it('when the runtime has WebAssembly SIMD, then the index uses it', () => {
    expect(new VectorIndex([{ descriptor: vec(rand(1)), meta: 0 }]).simd).toBe(true);
  });

  it('when a vector is scaled, then its distance to the original is zero', () => {
    const v = vec(rand(3));
    expect(
      distance(
        v,
        v.map((x) => x * 3),
      ),
    ).toBeCloseTo(0, 6);
    expect(Math.hypot(...normalise(v))).toBeCloseTo(1, 6);
  });
});
