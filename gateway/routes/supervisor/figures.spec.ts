// Key-location coverage: covered only by a camera that is watching (reachable, picture fine) and has it in view.
import { describe, expect, it } from 'vitest';
import type { PlacedCamera } from '../../../core/db/repositories/coverage.repository.ts';
import type { KeyLocationRow } from '../../../core/db/repositories/supervisor.repository.ts';
import { keyCoverage } from './figures.ts';

const cam = (over: Partial<PlacedCamera>): PlacedCamera => ({
  id: 'c',
  lon: 119,
  lat: 25.4,
  heading: 90,
  fov: 90,
  rangeM: 50,
  status: 'online',
  ...over,
});
const key = (id: string, lon: number, lat = 25.4): KeyLocationRow => ({
  id,
  kind: 'junction',
  name: id,
  nameZh: null,
  lon,
  lat,
  cellId: null,
  districtId: null,
});
// 0.0002° of longitude at 25.4° N is ~20 m.
const east20 = key('east20', 119.0002);
const east100 = key('east100', 119.001);
const west20 = key('west20', 118.9998);

describe('keyCoverage', () => {
  it('when a watching camera looks at a key location within its range, then it is covered; behind or beyond, not', () => {
    const r = keyCoverage([east20, east100, west20], [cam({})]);
    expect(r.map((k) => [k.id, k.covered])).toEqual([
      ['east20', true],
      ['east100', false],
      ['west20', false],
    ]);
  });

  it('when the camera in front is offline, flapping or has a bad picture, then the key location is not covered', () => {
    for (const c of [cam({ status: 'offline' }), cam({ status: 'flapping' }), cam({ quality: 'black' })])
      expect(keyCoverage([east20], [c])[0].covered).toBe(false);
    expect(keyCoverage([east20], [cam({ status: 'suspect' })])[0].covered).toBe(true);
  });

  it('when a camera stands in the next bucket of the index, then it still covers what it sees', () => {
    // 119.00995 and 119.01005 fall into neighbouring 0.01° buckets.
    expect(keyCoverage([key('k', 119.01005)], [cam({ lon: 119.00995 })])[0].covered).toBe(true);
  });
});
