// The fragmented-MP4 splitter: init segment once, then whole fragments, whatever the chunking.
import { describe, expect, it } from 'vitest';
import { Mp4Splitter } from './mp4-boxes.ts';

const box = (type: string, body: number) => {
  const b = Buffer.alloc(8 + body, 7);
  b.writeUInt32BE(8 + body, 0);
  b.write(type, 4, 'latin1');
  return b;
};

describe('Mp4Splitter', () => {
  it('when a stream arrives in odd chunks, then the init segment and each moof+mdat fragment come out whole, in order', () => {
    const stream = Buffer.concat([box('ftyp', 16), box('moov', 100), box('moof', 20), box('mdat', 300), box('moof', 20), box('mdat', 50)]);
    const inits: Buffer[] = [];
    const frags: Buffer[] = [];
    const s = new Mp4Splitter({ onInit: (b) => inits.push(b), onFragment: (b) => frags.push(b) });
    for (let i = 0; i < stream.length; i += 13) s.push(stream.subarray(i, i + 13));
    expect(inits).toHaveLength(1);
    expect(inits[0].length).toBe(24 + 108);
    expect(frags.map((f) => f.length)).toEqual([28 + 308, 28 + 58]);
    expect(frags[0].toString('latin1', 4, 8)).toBe('moof');
  });

  it('when a box claims an impossible size, then the splitter throws instead of buffering forever', () => {
    const s = new Mp4Splitter({ onInit: () => {}, onFragment: () => {} });
    const bad = Buffer.alloc(8);
    bad.writeUInt32BE(3, 0);
    expect(() => s.push(bad)).toThrow(/box of 3 bytes/);
  });
});
