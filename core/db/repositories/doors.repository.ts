// Reads of doors and compounds for the API and live push: scoped lists, one door, and who may see a property.
import type { Db } from '../db.ts';
import type { Scope } from '../../auth/scope.ts';

export interface DoorRow {
  id: string;
  propertyId: string;
  propertyName: string;
  districtId: string | null;
  cellId: string | null;
  name: string;
  lon: number | null;
  lat: number | null;
  /** Last event at this door (any type), if any in the last 30 days. */
  lastEventAt: string | null;
  lastEventType: string | null;
}

export interface DoorFilter {
  property?: string;
  district?: string;
  q?: string;
  limit?: number;
  offset?: number;
  sort?: 'id' | 'name' | '-name' | 'property';
}

const SORTS: Record<NonNullable<DoorFilter['sort']>, string> = {
  id: 'd.id ASC',
  name: 'd.name ASC, d.id',
  '-name': 'd.name DESC, d.id',
  property: 'p.name ASC, d.name, d.id',
};

export class DoorsRepository {
  constructor(private readonly db: Db) {}

  async list(f: DoorFilter, scope: Scope = {}): Promise<{ total: number; items: DoorRow[] }> {
    const params: unknown[] = [];
    const w: string[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      w.push(sql.replaceAll('?', `$${params.length}`));
    };
    if (scope.properties) add('d.property_id = ANY(?::text[])', scope.properties);
    if (scope.districts) add('p.district_id = ANY(?::text[])', scope.districts);
    if (f.property) add('d.property_id = ?', f.property);
    if (f.district) add('p.district_id = ?', f.district);
    if (f.q) add(`(d.name ILIKE '%' || ? || '%' OR d.id ILIKE '%' || ? || '%' OR p.name ILIKE '%' || ? || '%')`, f.q);
    const where = w.length ? `WHERE ${w.join(' AND ')}` : '';
    const from = 'FROM doors d JOIN properties p ON p.id = d.property_id';
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n ${from} ${where}`, params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT d.*, p.name AS property_name, p.district_id, p.cell_id, last.ts AS last_ts, last.type AS last_type
       ${from}
       LEFT JOIN LATERAL (SELECT e.ts, e.type FROM door_events e WHERE e.door_id = d.id AND e.ts > now() - interval '30 days'
                          ORDER BY e.ts DESC LIMIT 1) last ON true
       ${where} ORDER BY ${SORTS[f.sort ?? 'id']} LIMIT ${Math.min(f.limit ?? 50, 1000)} OFFSET ${f.offset ?? 0}`,
      params,
    );
    return { total, items: r.rows.map(toDoor) };
  }

  async get(id: string, scope: Scope = {}): Promise<DoorRow | undefined> {
    const params: unknown[] = [id];
    const w = ['d.id = $1'];
    if (scope.properties) {
      params.push(scope.properties);
      w.push(`d.property_id = ANY($${params.length}::text[])`);
    }
    if (scope.districts) {
      params.push(scope.districts);
      w.push(`p.district_id = ANY($${params.length}::text[])`);
    }
    const r = await this.db.query<Record<string, any>>(
      `SELECT d.*, p.name AS property_name, p.district_id, p.cell_id, NULL AS last_ts, NULL AS last_type
       FROM doors d JOIN properties p ON p.id = d.property_id WHERE ${w.join(' AND ')}`,
      params,
    );
    return r.rows[0] ? toDoor(r.rows[0]) : undefined;
  }

  /** Property ids in these districts: door events carry a property, not a district. */
  async propertyIdsIn(districts: string[]): Promise<string[]> {
    const r = await this.db.query<{ id: string }>('SELECT id FROM properties WHERE district_id = ANY($1::text[]) ORDER BY id', [districts]);
    return r.rows.map((x) => x.id);
  }

  /** Grid cells of these properties: a property manager sees the cameras of their compounds' cells. */
  async cellsOf(properties: string[]): Promise<string[]> {
    const r = await this.db.query<{ cell_id: string }>('SELECT DISTINCT cell_id FROM properties WHERE id = ANY($1::text[]) AND cell_id IS NOT NULL', [properties]);
    return r.rows.map((x) => x.cell_id);
  }

  /** property id → district id, for routing live door events to rooms. */
  async propertyDistricts(): Promise<Map<string, string | null>> {
    const r = await this.db.query<{ id: string; district_id: string | null }>('SELECT id, district_id FROM properties');
    return new Map(r.rows.map((x) => [x.id, x.district_id]));
  }
}

function toDoor(r: Record<string, any>): DoorRow {
  return {
    id: r.id,
    propertyId: r.property_id,
    propertyName: r.property_name,
    districtId: r.district_id ?? null,
    cellId: r.cell_id ?? null,
    name: r.name,
    lon: r.lon ?? null,
    lat: r.lat ?? null,
    lastEventAt: r.last_ts ? new Date(r.last_ts).toISOString() : null,
    lastEventType: r.last_type ?? null,
  };
}
