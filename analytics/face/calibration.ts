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

export function pairs(items: readonly Labelled[]): { same: Pair[]; different: Pair[] } {
  const same: Pair[] = [];
  const different: Pair[] = [];
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const p = { a: items[i].file, b: items[j].file, distance: distance(items[i].descriptor, items[j].descriptor) };
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
