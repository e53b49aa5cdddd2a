// Coverage geometry: a camera's sector clipped to a cell, unions of overlapping views, point-in-view.
import { describe, expect, it } from 'vitest';
import { clipViews, sees, unionArea, viewShape, withBox } from './coverage-geometry.ts';

const cell = {
  type: 'Polygon' as const,
  coordinates: [
    [
      [119, 25.43],
      [119.001, 25.43],
      [119.001, 25.431],
      [119, 25.431],
      [119, 25.43],
    ],
  ],
};
const cam = (id: string, lon: number, lat: number, heading: number, fov = 90, rangeM = 160) =>
  withBox(id, viewShape({ id, lon, lat, heading, fov, rangeM }));

describe('coverage geometry', () => {
  it('when a 90° camera in a corner looks across a 100 m × 111 m cell with 120 m range, then it sees most but not all of it', () => {
    const { areaM2, pieces } = clipViews(cell, [cam('a', 119, 25.43, 45, 90, 120)]);
    expect(areaM2).toBeGreaterThan(10_000);
    expect(areaM2).toBeLessThan(12_500);
    const share = unionArea([...pieces.values()]) / areaM2;
    expect(share).toBeGreaterThan(0.75);
    expect(share).toBeLessThan(1);
  });

  it('when two cameras look from opposite corners, then together they see all of it and overlaps count once', () => {
    const { areaM2, pieces } = clipViews(cell, [cam('a', 119, 25.43, 45), cam('b', 119.001, 25.431, 225)]);
    expect(unionArea([...pieces.values()]) / areaM2).toBeCloseTo(1, 3);
  });

  it('when a camera looks away from the cell, then it contributes nothing', () => {
    const { pieces } = clipViews(cell, [cam('a', 119, 25.43, 225)]);
    expect(pieces.size).toBe(0);
  });

  it('when a point is inside a view, then the camera sees it', () => {
    const v = viewShape({ id: 'a', lon: 119, lat: 25.43, heading: 45, fov: 90, rangeM: 160 });
    expect(sees(v, 119.0005, 25.4305)).toBe(true);
    expect(sees(v, 118.9995, 25.4295)).toBe(false);
    expect(sees(viewShape({ id: 'o', lon: 119, lat: 25.43, heading: 0, fov: 360, rangeM: 100 }), 118.9995, 25.4295)).toBe(true);
  });

  it('when a view lies wholly inside a rectangular cell, then it counts whole without clipping', () => {
    const v = cam('in', 119.0005, 25.4305, 0, 90, 20);
    const { pieces } = clipViews(cell, [v]);
    expect(pieces.get('in')).toBe(v.shape);
    expect(unionArea([...pieces.values()])).toBeCloseTo((Math.PI * 20 * 20) / 4, -1);
  });
});
