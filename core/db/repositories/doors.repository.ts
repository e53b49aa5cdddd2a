// Reads of doors and compounds: scoped lists and one door for the API, door keys for intake, places for live push.
import type { Db } from '../db.ts';
import { containsPattern } from '../like.ts';
import { pageClause, scopeWhere, Where } from '../where.ts';
import type { Scope } from '../../auth/scope.ts';

export interface DoorRow {
  id: string;
  propertyId: string;
  propertyName: string;
  propertyNameZh: string | null;
  districtId: string | null;
  cellId: string | null;
  name: string;
  nameZh: string | null;
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
    const w = scopeWhere(new Where(), scope, 'doors')
      .opt('d.property_id = ?', f.property)
      .opt('p.district_id = ?', f.district)
      .opt(
        '(d.name ILIKE ? OR d.name_zh ILIKE ? OR d.id ILIKE ? OR p.name ILIKE ? OR p.name_zh ILIKE ?)',
        f.q ? containsPattern(f.q) : undefined,
      );
    const from = 'FROM doors d JOIN properties p ON p.id = d.property_id';
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n ${from} ${w.clause}`, w.params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT d.*, p.name AS property_name, p.name_zh AS property_name_zh, p.district_id, p.cell_id, last.ts AS last_ts, last.type AS last_type
       ${from}
       LEFT JOIN LATERAL (SELECT e.ts, e.type FROM door_events e WHERE e.door_id = d.id AND e.ts > now() - interval '30 days'
                          ORDER BY e.ts DESC LIMIT 1) last ON true
       ${w.clause} ORDER BY ${SORTS[f.sort ?? 'id']} ${pageClause(f)}`,
      w.params,
    );
    return { total, items: r.rows.map(toDoor) };
  }

  async get(id: string, scope: Scope = {}): Promise<DoorRow | undefined> {
    const w = scopeWhere(new Where().add('d.id = ?', id), scope, 'doors');
    const r = await this.db.query<Record<string, any>>(
      `SELECT d.*, p.name AS property_name, p.name_zh AS property_name_zh, p.district_id, p.cell_id, NULL AS last_ts, NULL AS last_type
       FROM doors d JOIN properties p ON p.id = d.property_id ${w.clause}`,
      w.params,
    );
    return r.rows[0] ? toDoor(r.rows[0]) : undefined;
  }

  /** Every door as "propertyId/doorId" (intake turns events from unknown doors into dead letters). */
  async allKeys(): Promise<string[]> {
    const r = await this.db.query<{ k: string }>(`SELECT property_id || '/' || id AS k FROM doors`);
    return r.rows.map((x) => x.k);
  }

  /** True when the door exists and belongs to the property. */
  async exists(propertyId: string, doorId: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM doors WHERE id = $1 AND property_id = $2', [doorId, propertyId]);
    return r.rows.length > 0;
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
    propertyNameZh: r.property_name_zh ?? null,
    districtId: r.district_id ?? null,
    cellId: r.cell_id ?? null,
    name: r.name,
    nameZh: r.name_zh ?? null,
    lon: r.lon ?? null,
    lat: r.lat ?? null,
    lastEventAt: r.last_ts ? new Date(r.last_ts).toISOString() : null,
    lastEventType: r.last_type ?? null,
  };
}
