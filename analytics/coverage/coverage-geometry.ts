// Coverage geometry with @turf/turf: each camera's field of view as a sector, clipped to grid cells, unioned,
// measured; pure functions over plain data so they are tested without a database.
import {
  area,
  bbox,
  booleanPointInPolygon,
  circle,
  featureCollection,
  intersect,
  point,
  polygon,
  sector,
  truncate,
  union,
} from '@turf/turf';
import type { Feature, MultiPolygon, Polygon } from 'geojson';

export interface CameraView {
  id: string;
  lon: number;
  lat: number;
  heading: number;
  fov: number;
  rangeM: number;
}

export type Shape = Feature<Polygon | MultiPolygon>;

/** The ground a camera sees: a circular sector of its range around its heading (a disc for 360° cameras). */
export function viewShape(c: CameraView): Shape {
  const center = point([c.lon, c.lat]);
  const km = c.rangeM / 1000;
  // Rounded to ~1 cm: the clipping library is exact and trips over near-coincident vertices (a camera on a cell corner).
  if (c.fov >= 360) return truncate(circle(center, km, { steps: 32, units: 'kilometers' }), { precision: 7 });
  return truncate(sector(center, km, c.heading - c.fov / 2, c.heading + c.fov / 2, { steps: 32, units: 'kilometers' }), { precision: 7 });
}

type Box = [number, number, number, number];
const MIN_PIECE_M2 = 0.01;
const inside = (a: Box, b: Box) => a[0] >= b[0] && a[1] >= b[1] && a[2] <= b[2] && a[3] <= b[3];
/** True when the polygon is an axis-aligned rectangle (one ring of four corners), so its bbox is the polygon. */
function isBox(p: Polygon): boolean {
  const ring = p.coordinates[0];
  if (p.coordinates.length !== 1 || ring.length !== 5) return false;
  const xs = new Set(ring.map((c) => c[0]));
  const ys = new Set(ring.map((c) => c[1]));
  return xs.size === 2 && ys.size === 2;
}
const overlaps = (a: Box, b: Box) => a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];

/** For one cell: its area and each camera's view clipped to it (cameras that see none of it are left out). */
export function clipViews(
  cell: Polygon,
  views: readonly { id: string; shape: Shape; box: Box }[],
): { areaM2: number; pieces: Map<string, Shape> } {
  const cellF = polygon(cell.coordinates);
  const cellBox = bbox(cellF) as Box;
  const pieces = new Map<string, Shape>();
  const rectangular = isBox(cell);
  for (const v of views) {
    if (!overlaps(cellBox, v.box)) continue;
    // A view wholly inside a rectangular cell is its own piece: no clipping needed (the common case, and the costly one).
    if (rectangular && inside(v.box, cellBox)) {
      pieces.set(v.id, v.shape);
      continue;
    }
    const piece = intersect(featureCollection([cellF, v.shape]));
    // Slivers along a shared edge carry no coverage and only upset the later union.
    if (piece && area(piece) >= MIN_PIECE_M2) pieces.set(v.id, truncate(piece, { precision: 7 }) as Shape);
  }
  return { areaM2: area(cellF), pieces };
}

/** Area of the union of shapes, in square metres. */
export function unionArea(shapes: readonly Shape[]): number {
  if (shapes.length === 0) return 0;
  if (shapes.length === 1) return area(shapes[0]);
  try {
    const u = union(featureCollection(shapes as Feature<Polygon | MultiPolygon>[]));
    return u ? area(u) : 0;
  } catch {
    // Pairwise with coarser rounding when the exact union fails on degenerate input; still a true union.
    let acc: Shape = truncate(shapes[0], { precision: 6 });
    for (const s of shapes.slice(1)) acc = (union(featureCollection([acc, truncate(s, { precision: 6 })])) as Shape | null) ?? acc;
    return area(acc);
  }
}

export function withBox(id: string, shape: Shape): { id: string; shape: Shape; box: Box } {
  return { id, shape, box: bbox(shape) as Box };
}

export function sees(shape: Shape, lon: number, lat: number): boolean {
  return booleanPointInPolygon(point([lon, lat]), shape);
}
