// Rendezvous (highest random weight) hashing: which live instance should watch a camera. Every instance computes
// the same answer from the same list, and a join or a death moves only the cameras that must move (about 1/N).

/** FNV-1a over the UTF-16 code units, then a murmur3 finaliser so that similar names spread apart. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The instance among `instances` that should hold `key`; undefined for an empty list. */
export function ownerOf(key: string, instances: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const m of instances) {
    const w = hash32(`${m}\u0000${key}`);
    // Ties (rare) go to the smaller name, so every instance agrees.
    if (w > bestWeight || (w === bestWeight && best !== undefined && m < best)) {
      best = m;
      bestWeight = w;
    }
  }
  return best;
}
