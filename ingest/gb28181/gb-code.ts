// The 20-digit GB/T 28181 national code (Appendix D): centre code (province, city, district/county, grassroots unit:
// 2+2+2+2 digits), industry (2), device type (3), network (1) and serial (7); and Putian's division codes on the grid.

export interface GbCode {
  code: string;
  /** First 8 digits: province, city, district/county and grassroots unit (town/street police station). */
  centre: string;
  /** The 6-digit administrative division (行政区划代码) of the district or county. */
  division: string;
  /** Digits 7-8: the grassroots unit within the district (00 = none). */
  unit: string;
  /** Digits 11-13 (111 DVR, 118 NVR, 131 camera, 132 IPC, 200 platform, 215 business group, 216 virtual org, …). */
  type: string;
}

const CODE = /^\d{20}$/;

export function parseGbCode(code: string): GbCode | undefined {
  if (!CODE.test(code)) return undefined;
  return { code, centre: code.slice(0, 8), division: code.slice(0, 6), unit: code.slice(6, 8), type: code.slice(10, 13) };
}

/** Types that carry video: a channel of an NVR/DVR or an IPC's own channel. */
export const VIDEO_CHANNEL_TYPES: ReadonlySet<string> = new Set(['131', '132']);
/** Directory entries that are not devices: administrative areas, business groups and virtual organisations. */
export const DIRECTORY_TYPES: ReadonlySet<string> = new Set(['215', '216']);

/** Putian's districts and county by division code (GB/T 2260), keyed to the grid's district keys. */
export const PUTIAN_DIVISIONS: Readonly<Record<string, string>> = {
  '350302': 'chengxiang',
  '350303': 'hanjiang',
  '350304': 'licheng',
  '350305': 'xiuyu',
  '350322': 'xianyou',
};

/**
 * Where a civil code (6 or 8 digits, or a 20-digit code) lies on the grid: the district unit, and the town unit for a
 * grassroots code 01-99 (the grid numbers a district's towns t-<district>-01, -02, … in the registry's order).
 */
export function gridPlaceOf(civilCode: string): { districtId: string; townId?: string } | undefined {
  const key = PUTIAN_DIVISIONS[civilCode.slice(0, 6)];
  if (!key) return undefined;
  const unit = civilCode.length >= 8 ? civilCode.slice(6, 8) : '00';
  return { districtId: `d-${key}`, townId: /^\d\d$/.test(unit) && unit !== '00' ? `t-${key}-${unit}` : undefined };
}
