import { describe, expect, it } from 'vitest';
import { ownerOf } from './rendezvous.ts';

const cams = Array.from({ length: 3000 }, (_, i) => `cam-${i}`);

describe('rendezvous hashing', () => {
  it('when three instances share 3,000 cameras, then each gets about a third', () => {
    const members = ['gridwatch-ingest-a', 'gridwatch-ingest-b', 'gridwatch-ingest-c'];
    const count = new Map<string, number>();
    for (const c of cams) count.set(ownerOf(c, members)!, (count.get(ownerOf(c, members)!) ?? 0) + 1);
    for (const m of members) expect(count.get(m)).toBeGreaterThan(850);
  });

  it('when an instance joins, then only cameras moving to it change owner', () => {
    const before = ['a', 'b'];
    const after = ['a', 'b', 'c'];
    const moved = cams.filter((c) => ownerOf(c, before) !== ownerOf(c, after));
    expect(moved.every((c) => ownerOf(c, after) === 'c')).toBe(true);
    expect(moved.length).toBeGreaterThan(800);
    expect(moved.length).toBeLessThan(1200);
  });

  it('when an instance leaves, then only its cameras change owner, and the order of the list does not matter', () => {
    const all = ['x', 'y', 'z'];
    const left = ['z', 'x'];
    for (const c of cams) {
      if (ownerOf(c, all) !== 'y') expect(ownerOf(c, left)).toBe(ownerOf(c, all));
      expect(ownerOf(c, all)).toBe(ownerOf(c, ['z', 'y', 'x']));
    }
    expect(ownerOf('cam-1', [])).toBeUndefined();
  });
});
