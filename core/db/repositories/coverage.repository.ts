// Every query behind coverage: the grid and camera placements it is computed from, coverage now and per hour.
import type { Db } from '../db.ts';
import type { GridPlace } from '../../events/index.ts';
import type { Scope } from '../../auth/scope.ts';
import { scopeWhere, Where } from '../where.ts';
import { ensurePartitionsFor } from '../partitions.ts';

export interface GridUnitRow {
  id: string;
  level: string;
  parentId?: string;
  name: string;
  geom?: { type: 'Polygon'; coordinates: number[][][] };
  threshold: number;
}

export interface PlacedCamera {
  id: string;
  cellId?: string;
  districtId?: string;
  lon: number;
  lat: number;
  heading: number;
  fov: number;
  rangeM: number;
  status: string;
  quality?: string;
  snapshotUri?: string;
  outageId?: string;
}

export interface CoverageRow {
  unitId: string;
  level: string;
  parentId?: string;
  districtId?: string;
  name: string;
  threshold: number;
  areaM2: number;
  coveredM2: number;
  /** Area covered if every camera were up: a gap below it is caused by cameras down. */
  potentialM2: number;
  rate: number;
  camerasTotal: number;
  camerasUp: number;
  gapKey?: string;
  computedAt: string;
}

export interface CoveragePoint {
  ts: string;
  rate: number;
  minRate: number;
  camerasTotal: number;
  camerasUp: number;
}

export class CoverageRepository {
  constructor(private readonly db: Db) {}

  async units(): Promise<GridUnitRow[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT id, level, parent_id, name, geom, coverage_threshold FROM grid_units ORDER BY id`,
    );
    return r.rows.map((x) => ({
      id: x.id,
      level: x.level,
      parentId: x.parent_id ?? undefined,
      name: x.name,
      geom: typeof x.geom === 'string' ? JSON.parse(x.geom) : (x.geom ?? undefined),
      threshold: x.coverage_threshold,
    }));
  }

  /** Cameras with a position and field of view, with their detector state. */
  async placedCameras(): Promise<PlacedCamera[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT c.id, c.cell_id, c.district_id, c.lon, c.lat, c.heading, c.fov, c.range_m, c.snapshot_uri,
              coalesce(s.status, c.status) AS status, s.quality, s.outage_id
       FROM cameras c LEFT JOIN camera_state s ON s.camera_id = c.id
       WHERE c.lon IS NOT NULL AND c.lat IS NOT NULL AND c.range_m > 0 AND c.vanished_at IS NULL ORDER BY c.id`,
    );
    return r.rows.map((x) => ({
      id: x.id,
      cellId: x.cell_id ?? undefined,
      districtId: x.district_id ?? undefined,
      lon: x.lon,
      lat: x.lat,
      heading: x.heading ?? 0,
      fov: x.fov ?? 360,
      rangeM: x.range_m,
      status: x.status,
      quality: x.quality ?? undefined,
      snapshotUri: x.snapshot_uri ?? undefined,
      outageId: x.outage_id ?? undefined,
    }));
  }

  async door(
    doorId: string,
  ): Promise<
    { id: string; name: string; propertyId: string; lon?: number; lat?: number; cellId?: string; districtId?: string } | undefined
  > {
    const r = await this.db.query<Record<string, any>>(
      `SELECT d.id, d.name, d.property_id, d.lon, d.lat, p.cell_id, p.district_id FROM doors d JOIN properties p ON p.id = d.property_id WHERE d.id = $1`,
      [doorId],
    );
    const x = r.rows[0];
    return x
      ? {
          id: x.id,
          name: x.name,
          propertyId: x.property_id,
          lon: x.lon ?? undefined,
          lat: x.lat ?? undefined,
          cellId: x.cell_id ?? undefined,
          districtId: x.district_id ?? undefined,
        }
      : undefined;
  }

  /** The unit and its ancestors as a place in the grid hierarchy. */
  async placeOf(unitId: string): Promise<GridPlace> {
    const r = await this.db.query<{ id: string; level: string }>(
      `WITH RECURSIVE up AS (SELECT id, level, parent_id FROM grid_units WHERE id = $1
         UNION ALL SELECT g.id, g.level, g.parent_id FROM grid_units g JOIN up ON g.id = up.parent_id)
       SELECT id, level FROM up`,
      [unitId],
    );
    const place: Record<string, string> = {};
    for (const x of r.rows) if (x.level !== 'city') place[x.level] = x.id;
    return place as GridPlace;
  }

  /** Stores coverage now (keeping each unit's gap key) and the hourly point of `ts`'s hour. */
  async save(rows: readonly CoverageRow[], ts: Date): Promise<void> {
    if (rows.length === 0) return;
    const col = <T>(f: (r: CoverageRow) => T) => rows.map(f);
    await this.db.query(
      `INSERT INTO coverage_current (unit_id, level, parent_id, district_id, name, threshold, area_m2, covered_m2, potential_m2, rate, cameras_total, cameras_up, computed_at)
       SELECT *, $13::timestamptz FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::real[], $7::float8[], $8::float8[], $9::float8[],
                                              $10::real[], $11::int[], $12::int[])
       ON CONFLICT (unit_id) DO UPDATE SET level = EXCLUDED.level, parent_id = EXCLUDED.parent_id, district_id = EXCLUDED.district_id,
         name = EXCLUDED.name, threshold = EXCLUDED.threshold, area_m2 = EXCLUDED.area_m2, covered_m2 = EXCLUDED.covered_m2,
         potential_m2 = EXCLUDED.potential_m2, rate = EXCLUDED.rate, cameras_total = EXCLUDED.cameras_total, cameras_up = EXCLUDED.cameras_up,
         computed_at = EXCLUDED.computed_at`,
      [
        col((r) => r.unitId),
        col((r) => r.level),
        col((r) => r.parentId ?? null),
        col((r) => r.districtId ?? null),
        col((r) => r.name),
        col((r) => r.threshold),
        col((r) => r.areaM2),
        col((r) => r.coveredM2),
        col((r) => r.potentialM2),
        col((r) => r.rate),
        col((r) => r.camerasTotal),
        col((r) => r.camerasUp),
        ts.toISOString(),
      ],
    );
    const hour = new Date(Math.floor(ts.getTime() / 3_600_000) * 3_600_000);
    // Two workers creating the same day's partition at once: the loser fails with "already exists" and simply retries.
    await ensurePartitionsFor(this.db, this.db, 'coverage_hourly', [hour]).catch(() =>
      ensurePartitionsFor(this.db, this.db, 'coverage_hourly', [hour]),
    );
    await this.db.query(
      `INSERT INTO coverage_hourly (unit_id, ts, level, district_id, rate, min_rate, cameras_total, cameras_up)
       SELECT u.unit_id, $6::timestamptz, u.level, u.district_id, u.rate, u.rate, u.total, u.up
       FROM unnest($1::text[], $2::text[], $3::text[], $4::real[], $5::int[], $7::int[]) AS u(unit_id, level, district_id, rate, total, up)
       ON CONFLICT (unit_id, ts) DO UPDATE SET rate = EXCLUDED.rate, min_rate = least(coverage_hourly.min_rate, EXCLUDED.rate),
         cameras_total = EXCLUDED.cameras_total, cameras_up = EXCLUDED.cameras_up`,
      [
        col((r) => r.unitId),
        col((r) => r.level),
        col((r) => r.districtId ?? null),
        col((r) => r.rate),
        col((r) => r.camerasTotal),
        hour.toISOString(),
        col((r) => r.camerasUp),
      ],
    );
  }

  /** Marks a gap open with its alert key; true for the one caller that opened it. */
  async openGap(unitId: string, key: string): Promise<boolean> {
    const r = await this.db.query(`UPDATE coverage_current SET gap_key = $2 WHERE unit_id = $1 AND gap_key IS NULL`, [unitId, key]);
    return r.rowCount > 0;
  }

  /** Closes an open gap; returns its key for the one caller that closed it. */
  async closeGap(unitId: string): Promise<string | undefined> {
    const r = await this.db.query<{ gap_key: string }>(
      `UPDATE coverage_current c SET gap_key = NULL FROM (SELECT unit_id, gap_key FROM coverage_current WHERE unit_id = $1 FOR UPDATE) o
       WHERE c.unit_id = o.unit_id AND o.gap_key IS NOT NULL RETURNING o.gap_key`,
      [unitId],
    );
    return r.rows[0]?.gap_key;
  }

  async current(
    f: { level?: string; parent?: string; district?: string; unit?: string; belowThreshold?: boolean },
    scope: Scope = {},
  ): Promise<CoverageRow[]> {
    const w = scopeWhere(new Where(), scope, 'coverage')
      .opt('level = ?', f.level)
      .opt('parent_id = ?', f.parent)
      .opt('(district_id = ? OR unit_id = ?)', f.district)
      .opt('unit_id = ?', f.unit);
    if (f.belowThreshold) w.raw('rate < threshold');
    const r = await this.db.query<Record<string, any>>(`SELECT * FROM coverage_current ${w.clause} ORDER BY level, unit_id`, w.params);
    return r.rows.map((x) => ({
      unitId: x.unit_id,
      level: x.level,
      parentId: x.parent_id ?? undefined,
      districtId: x.district_id ?? undefined,
      name: x.name,
      threshold: x.threshold,
      areaM2: x.area_m2,
      coveredM2: x.covered_m2,
      potentialM2: x.potential_m2,
      rate: x.rate,
      camerasTotal: x.cameras_total,
      camerasUp: x.cameras_up,
      gapKey: x.gap_key ?? undefined,
      computedAt: new Date(x.computed_at).toISOString(),
    }));
  }

  /** Per unit of a level over [from, to): mean, lowest and latest hourly rate, and hours below the unit's threshold. */
  async summary(f: { from: Date; to: Date; level: string; district?: string; scope?: Scope }): Promise<
    {
      unitId: string;
      name: string;
      districtId?: string;
      threshold: number;
      hours: number;
      meanRate: number;
      minRate: number;
      lastRate: number;
      hoursBelow: number;
    }[]
  > {
    const w = scopeWhere(new Where(), f.scope ?? {}, 'coverage')
      .add('ts >= ?', f.from.toISOString())
      .add('ts < ?', f.to.toISOString())
      .add('level = ?', f.level)
      .opt('(district_id = ? OR unit_id = ?)', f.district);
    const r = await this.db.query<Record<string, any>>(
      `SELECT h.unit_id, c.name, c.district_id, c.threshold, count(*)::int AS hours, avg(h.rate)::float8 AS mean_rate, min(h.min_rate)::float8 AS min_rate,
              (array_agg(h.rate ORDER BY h.ts DESC))[1]::float8 AS last_rate, count(*) FILTER (WHERE h.min_rate < c.threshold)::int AS hours_below
       FROM (SELECT * FROM coverage_hourly ${w.clause}) h JOIN coverage_current c ON c.unit_id = h.unit_id
       GROUP BY 1, 2, 3, 4 ORDER BY 1`,
      w.params,
    );
    return r.rows.map((x) => ({
      unitId: x.unit_id,
      name: x.name,
      districtId: x.district_id ?? undefined,
      threshold: x.threshold,
      hours: x.hours,
      meanRate: x.mean_rate,
      minRate: x.min_rate,
      lastRate: x.last_rate,
      hoursBelow: x.hours_below,
    }));
  }

  async series(unitIds: readonly string[], from: Date, to: Date): Promise<Record<string, CoveragePoint[]>> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM coverage_hourly WHERE unit_id = ANY($1::text[]) AND ts >= $2 AND ts < $3 ORDER BY unit_id, ts`,
      [unitIds, from.toISOString(), to.toISOString()],
    );
    const out: Record<string, CoveragePoint[]> = {};
    for (const x of r.rows) {
      (out[x.unit_id] ??= []).push({
        ts: new Date(x.ts).toISOString(),
        rate: x.rate,
        minRate: x.min_rate,
        camerasTotal: x.cameras_total,
        camerasUp: x.cameras_up,
      });
    }
    return out;
  }
}
