import { describe, expect, it } from 'vitest';
import { covariance, rotate, symmetricEigen } from './pca.ts';

describe('principal axes', () => {
  it('when a matrix is decomposed, then V·A·Vᵀ is diagonal with the eigenvalues, largest first', () => {
    let s = 9;
    const r = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5;
    const n = 12;
    const rows = Array.from({ length: 60 }, () => Array.from({ length: n }, (_, i) => r() * (n - i)));
    const c = covariance(rows, n);
    const { values, vectors } = symmetricEigen(c, n);
    for (let i = 1; i < n; i++) expect(values[i - 1]).toBeGreaterThanOrEqual(values[i]);
    for (let i = 0; i < n; i++) {
      const vi = vectors.slice(i * n, (i + 1) * n);
      const avi = Array.from({ length: n }, (_, k) => vi.reduce((acc, x, j) => acc + c[k * n + j] * x, 0));
      avi.forEach((x, k) => expect(x).toBeCloseTo(values[i] * vi[k], 8));
    }
  });

  it('when vectors are rotated, then their distances stay the same', () => {
    const n = 8;
    const c = covariance(
      [
        [1, 2, 3, 4, 5, 6, 7, 8],
        [2, 1, 0, 3, 3, 1, 2, 9],
        [5, 5, 1, 0, 2, 2, 8, 1],
      ],
      n,
    );
    const { vectors } = symmetricEigen(c, n);
    const a = [1, 0, 2, 0, 3, 0, 4, 0];
    const b = [0, 1, 0, 2, 0, 3, 0, 4];
    const ra = rotate(vectors, a, n);
    const rb = rotate(vectors, b, n);
    const d = (x: ArrayLike<number>, y: ArrayLike<number>) =>
      Math.sqrt(Array.from({ length: n }, (_, i) => (x[i] - y[i]) ** 2).reduce((p, q) => p + q));
    expect(d(ra, rb)).toBeCloseTo(d(a, b), 4);
  });
});
