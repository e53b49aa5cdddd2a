// Every write of the city registry: grid units, maintenance units, compounds, doors and camera placements.
// Inventory columns of cameras (model, firmware, xaddr, profiles, status) belong to ingest and are never touched here.
import type { Db, Queryable } from '../db.ts';
import { GRID_LEVELS, type City } from '../../city/city.schema.ts';

export interface ImportCounts {
  gridUnits: number;
  maintenanceUnits: number;
  properties: number;
  doors: number;
  cameras: number;
  keyLocations: number;
}

export class CityRepository {
  constructor(private readonly db: Db) {}

  /** Upserts the whole registry in one transaction; running it twice changes nothing. */
  async importCity(city: City): Promise<ImportCounts> {
    return this.db.tx(async (q) => {
      // Parents first: the grid's foreign keys point upwards.
      const units = [...city.gridUnits].sort((a, b) => GRID_LEVELS.indexOf(a.level) - GRID_LEVELS.indexOf(b.level));
      const col = <T, K extends keyof T>(rows: readonly T[], k: K) => rows.map((r) => r[k] ?? null);
      await q.query(
        `INSERT INTO grid_units (id, level, parent_id, name, name_zh, geom)
         SELECT id, level, parent_id, name, name_zh, geom FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::jsonb[])
           AS u(id, level, parent_id, name, name_zh, geom)
         ON CONFLICT (id) DO UPDATE SET level = EXCLUDED.level, parent_id = EXCLUDED.parent_id, name = EXCLUDED.name,
           name_zh = EXCLUDED.name_zh, geom = EXCLUDED.geom`,
        [
          col(units, 'id'),
          col(units, 'level'),
          col(units, 'parentId'),
          col(units, 'name'),
          col(units, 'nameZh'),
          units.map((u) => (u.geom ? JSON.stringify(u.geom) : null)),
        ],
      );
      const mu = city.maintenanceUnits;
      await q.query(
        `INSERT INTO maintenance_units (id, name, district_id, name_zh) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, district_id = EXCLUDED.district_id, name_zh = EXCLUDED.name_zh`,
        [col(mu, 'id'), col(mu, 'name'), col(mu, 'districtId'), col(mu, 'nameZh')],
      );
      const p = city.properties;
      await q.query(
        `INSERT INTO properties (id, name, cell_id, district_id, name_zh) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, cell_id = EXCLUDED.cell_id, district_id = EXCLUDED.district_id, name_zh = EXCLUDED.name_zh`,
        [col(p, 'id'), col(p, 'name'), col(p, 'cellId'), col(p, 'districtId'), col(p, 'nameZh')],
      );
      const d = city.doors;
      await q.query(
        `INSERT INTO doors (id, property_id, name, lon, lat, name_zh)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::text[])
         ON CONFLICT (id) DO UPDATE SET property_id = EXCLUDED.property_id, name = EXCLUDED.name, lon = EXCLUDED.lon, lat = EXCLUDED.lat,
           name_zh = EXCLUDED.name_zh`,
        [col(d, 'id'), col(d, 'propertyId'), col(d, 'name'), col(d, 'lon'), col(d, 'lat'), col(d, 'nameZh')],
      );
      await this.upsertPlacements(q, city);
      const k = city.keyLocations ?? [];
      await q.query(
        `INSERT INTO key_locations (id, kind, name, name_zh, lon, lat, cell_id, district_id)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::text[], $8::text[])
         ON CONFLICT (id) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, name_zh = EXCLUDED.name_zh, lon = EXCLUDED.lon,
           lat = EXCLUDED.lat, cell_id = EXCLUDED.cell_id, district_id = EXCLUDED.district_id`,
        [
          col(k, 'id'),
          col(k, 'kind'),
          col(k, 'name'),
          col(k, 'nameZh'),
          col(k, 'lon'),
          col(k, 'lat'),
          col(k, 'cellId'),
          col(k, 'districtId'),
        ],
      );
      return {
        gridUnits: units.length,
        maintenanceUnits: mu.length,
        properties: p.length,
        doors: d.length,
        cameras: city.cameras.length,
        keyLocations: k.length,
      };
    });
  }

  private async upsertPlacements(q: Queryable, city: City): Promise<void> {
    const c = city.cameras;
    const col = <K extends keyof (typeof c)[number]>(k: K) => c.map((r) => r[k] ?? null);
    // A camera ingest already found by its urn keeps its row (and id); only where it stands is updated.
    await q.query(
      `INSERT INTO cameras (id, urn, name, cell_id, district_id, lon, lat, heading, fov, range_m, priority, name_zh)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::float8[], $8::real[], $9::real[], $10::real[], $11::text[], $12::text[])
       ON CONFLICT (urn) DO UPDATE SET name = EXCLUDED.name, name_zh = EXCLUDED.name_zh, cell_id = EXCLUDED.cell_id, district_id = EXCLUDED.district_id,
         lon = EXCLUDED.lon, lat = EXCLUDED.lat, heading = EXCLUDED.heading, fov = EXCLUDED.fov, range_m = EXCLUDED.range_m,
         priority = EXCLUDED.priority, updated_at = now()`,
      [
        col('id'),
        col('urn'),
        col('name'),
        col('cellId'),
        col('districtId'),
        col('lon'),
        col('lat'),
        col('heading'),
        col('fov'),
        col('rangeM'),
        col('priority'),
        col('nameZh'),
      ],
    );
  }

  /** True when no outage, door event or health sample is stored yet (a first start, before any history). */
  async historyEmpty(): Promise<boolean> {
    const r = await this.db.query<{ empty: boolean }>(
      `SELECT NOT EXISTS (SELECT 1 FROM outages) AND NOT EXISTS (SELECT 1 FROM door_events) AND NOT EXISTS (SELECT 1 FROM camera_health) AS empty`,
    );
    return r.rows[0].empty;
  }

  /** Counts per table, for health and tests. */
  async counts(): Promise<ImportCounts> {
    const r = await this.db.query<ImportCounts>(
      `SELECT (SELECT count(*)::int FROM grid_units) AS "gridUnits", (SELECT count(*)::int FROM maintenance_units) AS "maintenanceUnits",
              (SELECT count(*)::int FROM properties) AS properties, (SELECT count(*)::int FROM doors) AS doors,
              (SELECT count(*)::int FROM cameras) AS cameras, (SELECT count(*)::int FROM key_locations) AS "keyLocations"`,
    );
    return r.rows[0];
  }
}
