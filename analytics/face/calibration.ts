// Accuracy on a labelled photo set: distances of same-person and different-person pairs, false accept and
// false reject rates at a threshold, and leave-one-out identification against everyone else's photos.
import { distance } from './index/vector-index.ts';

export interface Labelled {
  file: string;
  person: string;
  descriptor: ArrayLike<number>;
}

export interface Pair {
  a: string;
  b: string;
  distance: number;
}

/** Euclidean distance between `a` and `b` scaled to unit length, for descriptors of any length. */
export function unitDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let i = 0; i < a.length; i++) {
    aa += a[i] * a[i];
    bb += b[i] * b[i];
    ab += a[i] * b[i];
  }
  return Math.sqrt(Math.max(0, 2 - (2 * ab) / Math.sqrt(aa * bb || 1)));
}

export function pairs(
  items: readonly Labelled[],
  dist: (a: ArrayLike<number>, b: ArrayLike<number>) => number = distance,
): { same: Pair[]; different: Pair[] } {
  const same: Pair[] = [];
  const different: Pair[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const p = { a: items[i].file, b: items[j].file, distance: dist(items[i].descriptor, items[j].descriptor) };
      (items[i].person === items[j].person ? same : different).push(p);
    }
  }
  return { same, different };
}

export interface Rates {
  threshold: number;
  falseAccepts: number;
  differentPairs: number;
  falseRejects: number;
  samePairs: number;
  far: number;
  frr: number;
}

export function ratesAt(p: { same: Pair[]; different: Pair[] }, threshold: number): Rates {
  const falseAccepts = p.different.filter((x) => x.distance <= threshold).length;
  const falseRejects = p.same.filter((x) => x.distance > threshold).length;
  return {
    threshold,
    falseAccepts,
    differentPairs: p.different.length,
    falseRejects,
    samePairs: p.same.length,
    far: p.different.length ? falseAccepts / p.different.length : 0,
    frr: p.same.length ? falseRejects / p.same.length : 0,
  };
}

export interface Identification {
  /** Probes whose person has other photos in the gallery. */
  genuine: number;
  found: number;
  missed: number;
  /** Probes matched to someone else (below the threshold). */
  wrong: number;
  /** Probes whose person has no other photo: any match is a false accept. */
  impostors: number;
  impostorAccepts: number;
}

/** Each photo against all the others, as a capture against a watch list holding everyone else's photos. */
export function identify(items: readonly Labelled[], threshold: number): Identification {
  const out: Identification = { genuine: 0, found: 0, missed: 0, wrong: 0, impostors: 0, impostorAccepts: 0 };
  for (const probe of items) {
    const gallery = items.filter((g) => g !== probe);
    let best: { person: string; d: number } | undefined;
    for (const g of gallery) {
      const d = distance(probe.descriptor, g.descriptor);
      if (d <= threshold && (!best || d < best.d)) best = { person: g.person, d };
    }
    const enrolled = gallery.some((g) => g.person === probe.person);
    if (enrolled) {
      out.genuine++;
      if (!best) out.missed++;
      else if (best.person === probe.person) out.found++;
      else out.wrong++;
    } else {
      out.impostors++;
      if (best) out.impostorAccepts++;
    }
  }
  return out;
}

export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Wilson score interval for `k` successes in `n` trials (95 % for z = 1.96). */
export function wilson(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const d = 1 + (z * z) / n;
  const c = (p + (z * z) / (2 * n)) / d;
  const h = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / d;
  return [Math.max(0, c - h), Math.min(1, c + h)];
}

export interface OperatingPoint {
  /** Largest distance still accepted. */
  threshold: number;
  far: number;
  tar: number;
  /** 95 % interval of the TAR (Wilson, over the same-person pairs). */
  tarCi: [number, number];
  falseAccepts: number;
  differentPairs: number;
  trueAccepts: number;
  samePairs: number;
}

function point(same: readonly number[], diff: readonly number[], threshold: number): OperatingPoint {
  const trueAccepts = same.filter((d) => d <= threshold).length;
  const falseAccepts = diff.filter((d) => d <= threshold).length;
  return {
    threshold,
    far: diff.length ? falseAccepts / diff.length : 0,
    tar: same.length ? trueAccepts / same.length : 0,
    tarCi: wilson(trueAccepts, same.length),
    falseAccepts,
    differentPairs: diff.length,
    trueAccepts,
    samePairs: same.length,
  };
}

/**
 * The loosest threshold whose false accept rate stays at or below `far`: just under the distance of the
 * (⌊far·n⌋+1)-th closest different-person pair, so at most ⌊far·n⌋ of them are accepted.
 */
export function atFar(p: { same: readonly Pair[]; different: readonly Pair[] }, far: number): OperatingPoint {
  const diff = p.different.map((x) => x.distance).sort((a, b) => a - b);
  const same = p.same.map((x) => x.distance);
  const k = Math.floor(far * diff.length);
  const threshold = k < diff.length ? Math.max(0, diff[k] - 1e-6) : Infinity;
  return point(same, diff, threshold);
}

/** The rates at a given threshold (for a threshold taken from another set of photos). */
export function atThreshold(p: { same: readonly Pair[]; different: readonly Pair[] }, threshold: number): OperatingPoint {
  return point(
    p.same.map((x) => x.distance),
    p.different.map((x) => x.distance),
    threshold,
  );
}

/** ROC as (FAR, TAR) points at every distinct distance, FAR ascending. */
export function roc(p: { same: readonly Pair[]; different: readonly Pair[] }): { far: number; tar: number }[] {
  const all = [...p.same.map((x) => ({ d: x.distance, same: true })), ...p.different.map((x) => ({ d: x.distance, same: false }))].sort(
    (a, b) => a.d - b.d,
  );
  const out = [{ far: 0, tar: 0 }];
  let s = 0;
  let f = 0;
  for (const [i, x] of all.entries()) {
    if (x.same) s++;
    else f++;
    if (i === all.length - 1 || all[i + 1].d !== x.d)
      out.push({ far: f / Math.max(1, p.different.length), tar: s / Math.max(1, p.same.length) });
  }
  return out;
}
