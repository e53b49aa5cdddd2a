// Principal axes of a set of vectors (covariance, then cyclic Jacobi rotations). The index stores vectors in this
// basis: distances do not change under a rotation, but most of a pair's distance then shows in the first axes.
export interface Eigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** Row i is the unit eigenvector of values[i]. */
  vectors: Float64Array;
}

export function covariance(rows: readonly ArrayLike<number>[], dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (const r of rows) for (let i = 0; i < dim; i++) mean[i] += r[i] / rows.length;
  const c = new Float64Array(dim * dim);
  const d = new Float64Array(dim);
  for (const r of rows) {
    for (let i = 0; i < dim; i++) d[i] = r[i] - mean[i];
    for (let i = 0; i < dim; i++) {
      const di = d[i];
      for (let j = i; j < dim; j++) c[i * dim + j] += di * d[j];
    }
  }
  const n = Math.max(1, rows.length - 1);
  for (let i = 0; i < dim; i++) {
    for (let j = i; j < dim; j++) {
      c[i * dim + j] /= n;
      c[j * dim + i] = c[i * dim + j];
    }
  }
  return c;
}

/** Eigen-decomposition of a symmetric matrix (row-major, n×n) by cyclic Jacobi sweeps. */
export function symmetricEigen(matrix: Float64Array, n: number, sweeps = 30): Eigen {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let s = 0; s < sweeps; s++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - sn * akq;
          a[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - sn * aqk;
          a[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - sn * vkq;
          v[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  // Columns of v are eigenvectors; return them as rows, largest eigenvalue first.
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[y * n + y] - a[x * n + x]);
  const values = Float64Array.from(order, (i) => a[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((col, row) => {
    for (let k = 0; k < n; k++) vectors[row * n + k] = v[k * n + col];
  });
  return { values, vectors };
}

/** `basis · x` for a row-major n×n basis. */
export function rotate(basis: Float64Array, x: ArrayLike<number>, n: number, out = new Float32Array(n)): Float32Array {
  for (let r = 0; r < n; r++) {
    let s = 0;
    const o = r * n;
    for (let k = 0; k < n; k++) s += basis[o + k] * x[k];
    out[r] = s;
  }
  return out;
}
