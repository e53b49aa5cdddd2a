// The supervisors' read model: camera-time lost per grid cell (online and intact rates), the key locations (重点部位)
// of the city, and the figures of the rectification notice (units ranked by overdue tickets, level-2 escalations).
// Reads only; the tables are written by their owners (outages, repairs, city import).
import type { Db } from '../db.ts';
import { scopeWhere, Where, type ScopedTable } from '../where.ts';

export interface PeriodFilter {
  from: Date;
  to: Date;
  /** Ongoing outages count until now, not until `to`. */
  now: Date;
  district?: string;
  /** The user's districts (undefined = the whole city). */
  districts?: string[];
}

export interface CellAvailability {
  cellId: string | null;
  districtId: string;
  cameras: number;
  /** Camera-seconds in the period lost to outages of an unreachable camera (unreachable, auth). */
  offlineSeconds: number;
  /** Camera-seconds lost to any outage (unreachable, or reachable without usable video). */
  impairedSeconds: number;
}

export interface KeyLocationRow {
  id: string;
  kind: string;
  name: string;
  nameZh: string | null;
  lon: number;
  lat: number;
  cellId: string | null;
  districtId: string | null;
}

export interface UnitFigures {
  unitId: string;
  name: string;
  nameZh: string | null;
  districtId: string | null;
  overdue: number;
  opened: number;
  resolved: number;
  mttrSeconds: number | null;
  levelTwo: number;
}

export interface LevelTwoTicket {
  ticketId: string;
  cameraId: string;
  cameraName: string;
  cameraNameZh: string | null;
  districtId: string | null;
  unitId: string | null;
  cause: string;
  openedAt: string;
  deadline: string;
  resolvedAt: string | null;
}

/** Causes of an outage in which the camera does not answer; the others (no video, black, frozen, covered…) leave it online. */
export const OFFLINE_CAUSES = ['unreachable', 'auth'] as const;

/**
 * Rows with a district, in the district asked for (if any) and in the user's (the scope rules of core/db/where.ts).
 * `params` are the statement's own values, numbered before these.
 */
function districtWhere(params: unknown[], col: string, table: ScopedTable, f: { district?: string; districts?: string[] }): Where {
  const w = new Where(params).raw(`${col} IS NOT NULL`).opt(`${col} = ?`, f.district);
  return scopeWhere(w, f.districts ? { districts: f.districts } : {}, table);
}

export class SupervisorRepository {
  constructor(private readonly db: Db) {}

  /**
   * Per cell over [from, min(to, now)): cameras and the camera-seconds lost to outages, split into offline and any.
   * The camera set is the outage report's (every camera with a district), so its uptime equals the intact rate here.
   */
  async availabilityByCell(f: PeriodFilter): Promise<CellAvailability[]> {
    const end = new Date(Math.min(f.to.getTime(), f.now.getTime()));
    const w = districtWhere([f.from.toISOString(), end.toISOString(), [...OFFLINE_CAUSES]], 'district_id', 'cameras', f);
    const r = await this.db.query<Record<string, any>>(
      `WITH cams AS (SELECT id, cell_id, district_id FROM cameras ${w.clause}),
            o AS (SELECT o.camera_id, o.cause = ANY($3::text[]) AS offline,
                         extract(epoch FROM least(coalesce(o.end_ts, $2::timestamptz), $2::timestamptz) - greatest(o.start_ts, $1::timestamptz)) AS s
                  FROM outages o WHERE o.start_ts < $2::timestamptz AND coalesce(o.end_ts, 'infinity') > $1::timestamptz)
       SELECT c.cell_id, c.district_id, count(DISTINCT c.id)::int AS cameras,
              coalesce(sum(o.s) FILTER (WHERE o.offline), 0)::float8 AS offline_s, coalesce(sum(o.s), 0)::float8 AS impaired_s
       FROM cams c LEFT JOIN o ON o.camera_id = c.id GROUP BY c.cell_id, c.district_id ORDER BY c.district_id, c.cell_id`,
      w.params,
    );
    return r.rows.map((x) => ({
      cellId: x.cell_id ?? null,
      districtId: x.district_id,
      cameras: x.cameras,
      offlineSeconds: Math.max(0, x.offline_s),
      impairedSeconds: Math.max(0, x.impaired_s),
    }));
  }

  /** The key locations in the districts asked for. */
  async keyLocations(f: { district?: string; districts?: string[] }): Promise<KeyLocationRow[]> {
    const w = districtWhere([], 'k.district_id', 'keyLocations', f);
    const r = await this.db.query<Record<string, any>>(
      `SELECT id, kind, name, name_zh, lon, lat, cell_id, district_id FROM key_locations k ${w.clause} ORDER BY id`,
      w.params,
    );
    return r.rows.map((x) => ({
      id: x.id,
      kind: x.kind,
      name: x.name,
      nameZh: x.name_zh ?? null,
      lon: x.lon,
      lat: x.lat,
      cellId: x.cell_id ?? null,
      districtId: x.district_id ?? null,
    }));
  }

  /**
   * Every maintenance unit of the districts: tickets overdue at `now`, opened and resolved in the period, mean time
   * to repair of those resolved, and tickets that reached level 2 (通报) while active in the period.
   */
  async unitFigures(f: PeriodFilter): Promise<UnitFigures[]> {
    const w = districtWhere([f.from.toISOString(), f.to.toISOString(), f.now.toISOString()], 'm.district_id', 'maintenanceUnits', f);
    const r = await this.db.query<Record<string, any>>(
      `SELECT m.id, m.name, m.name_zh, m.district_id,
              count(t.ticket_id) FILTER (WHERE t.state IN ('open', 'dispatched', 'in_progress') AND t.deadline < $3)::int AS overdue,
              count(t.ticket_id) FILTER (WHERE t.opened_at >= $1 AND t.opened_at < $2)::int AS opened,
              count(t.ticket_id) FILTER (WHERE t.resolved_at >= $1 AND t.resolved_at < $2)::int AS resolved,
              avg(t.repair_seconds) FILTER (WHERE t.resolved_at >= $1 AND t.resolved_at < $2)::float8 AS mttr,
              count(t.ticket_id) FILTER (WHERE t.escalation_level >= 2 AND t.opened_at < $2 AND coalesce(t.resolved_at, 'infinity') >= $1)::int AS level_two
       FROM maintenance_units m LEFT JOIN repair_tickets t ON t.unit_id = m.id
       ${w.clause}
       GROUP BY m.id, m.name, m.name_zh, m.district_id ORDER BY m.id`,
      w.params,
    );
    return r.rows.map((x) => ({
      unitId: x.id,
      name: x.name,
      nameZh: x.name_zh ?? null,
      districtId: x.district_id ?? null,
      overdue: x.overdue,
      opened: x.opened,
      resolved: x.resolved,
      mttrSeconds: x.mttr === null ? null : Math.round(x.mttr),
      levelTwo: x.level_two,
    }));
  }

  /** Tickets at escalation level 2 or above that were active in the period, oldest deadline first. */
  async levelTwoTickets(f: PeriodFilter, limit = 200): Promise<LevelTwoTicket[]> {
    const w = districtWhere([f.from.toISOString(), f.to.toISOString()], 't.district_id', 'repairs', f);
    const r = await this.db.query<Record<string, any>>(
      `SELECT t.ticket_id, t.camera_id, c.name AS camera_name, c.name_zh AS camera_name_zh, t.district_id, t.unit_id, t.cause,
              t.opened_at, t.deadline, t.resolved_at
       FROM repair_tickets t JOIN cameras c ON c.id = t.camera_id
       WHERE t.escalation_level >= 2 AND t.opened_at < $2 AND coalesce(t.resolved_at, 'infinity') >= $1 AND ${w.conditions}
       ORDER BY t.deadline, t.ticket_id LIMIT ${Math.max(1, Math.min(limit, 1000))}`,
      w.params,
    );
    return r.rows.map((x) => ({
      ticketId: x.ticket_id,
      cameraId: x.camera_id,
      cameraName: x.camera_name,
      cameraNameZh: x.camera_name_zh ?? null,
      districtId: x.district_id ?? null,
      unitId: x.unit_id ?? null,
      cause: x.cause,
      openedAt: new Date(x.opened_at).toISOString(),
      deadline: new Date(x.deadline).toISOString(),
      resolvedAt: x.resolved_at ? new Date(x.resolved_at).toISOString() : null,
    }));
  }
}
