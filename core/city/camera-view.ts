// Whether a camera's view contains a point: within its useful range and inside its field of view (a sector around
// its heading), on a local flat approximation that is exact enough over a camera's range of metres.
export interface ViewOf {
  lon: number;
  lat: number;
  heading: number;
  fov: number;
  rangeM: number;
}

const M_PER_DEG = 111_320;

/** Distance in metres and bearing in degrees (0 = north, clockwise) from the camera to the point. */
function polar(from: { lon: number; lat: number }, to: { lon: number; lat: number }): { m: number; deg: number } {
  const dx = (to.lon - from.lon) * M_PER_DEG * Math.cos((from.lat * Math.PI) / 180);
  const dy = (to.lat - from.lat) * M_PER_DEG;
  return { m: Math.hypot(dx, dy), deg: ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360 };
}

export function viewContains(c: ViewOf, p: { lon: number; lat: number }): boolean {
  const { m, deg } = polar(c, p);
  if (m > c.rangeM) return false;
  if (c.fov >= 360 || m < 0.5) return true;
  const off = Math.abs(((deg - c.heading + 540) % 360) - 180);
  return off <= c.fov / 2;
}
