// Every query on repair_tickets and ticket_history: opening, state changes with history, escalation, the scoped list.
import type { Db, Queryable } from '../db.ts';
import type { OutageCause, RepairTicket, TicketState } from '../../events/index.ts';
import type { Scope } from '../../auth/scope.ts';
import { pageClause, scopeWhere, Where } from '../where.ts';

export interface TicketHistoryRow {
  ts: string;
  actor: string;
  from?: string;
  to?: string;
  note?: string;
}

export interface TicketCamera {
  id: string;
  name: string;
  nameZh?: string;
  priority: string;
  status: string;
  cellId?: string;
  districtId?: string;
  lon?: number;
  lat?: number;
}

export interface TicketRow extends RepairTicket {
  closedAt?: string;
  updatedAt: string;
  overdue: boolean;
  camera?: TicketCamera;
  unitName?: string;
  unitNameZh?: string;
  history?: TicketHistoryRow[];
}

export interface TicketFilter {
  state?: TicketState;
  overdue?: boolean;
  district?: string;
  unit?: string;
  camera?: string;
  limit?: number;
  offset?: number;
}

const ACTIVE = `('open', 'dispatched', 'in_progress')`;

export class RepairsRepository {
  constructor(private readonly db: Db) {}

  /** The district's maintenance unit with the fewest active tickets (ties by id); undefined when it has none. */
  async pickUnit(q: Queryable, districtId: string | undefined): Promise<string | undefined> {
    if (!districtId) return undefined;
    const r = await q.query<{ id: string }>(
      `SELECT m.id FROM maintenance_units m
       LEFT JOIN repair_tickets t ON t.unit_id = m.id AND t.state IN ${ACTIVE}
       WHERE m.district_id = $1 GROUP BY m.id ORDER BY count(t.ticket_id), m.id LIMIT 1`,
      [districtId],
    );
    return r.rows[0]?.id;
  }

  /** Opens the ticket of an outage; a second call for the same outage changes nothing and returns undefined. */
  async create(
    q: Queryable,
    t: {
      ticketId: string;
      cameraId: string;
      outageId: string;
      cause: OutageCause;
      districtId?: string;
      unitId?: string;
      openedAt: Date;
      deadline: Date;
    },
  ): Promise<string | undefined> {
    const r = await q.query<{ ticket_id: string }>(
      `INSERT INTO repair_tickets (ticket_id, camera_id, outage_id, cause, district_id, unit_id, opened_at, deadline)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (outage_id) DO NOTHING RETURNING ticket_id`,
      [
        t.ticketId,
        t.cameraId,
        t.outageId,
        t.cause,
        t.districtId ?? null,
        t.unitId ?? null,
        t.openedAt.toISOString(),
        t.deadline.toISOString(),
      ],
    );
    if (!r.rows[0]) return undefined;
    await this.addHistory(q, t.ticketId, {
      ts: t.openedAt,
      actor: 'system',
      to: 'open',
      note: `opened: ${t.cause}${t.unitId ? `, assigned to ${t.unitId}` : ''}`,
    });
    return r.rows[0].ticket_id;
  }

  async addHistory(
    q: Queryable,
    ticketId: string,
    h: { ts: Date; actor: string; from?: string; to?: string; note?: string },
  ): Promise<void> {
    await q.query(`INSERT INTO ticket_history (ticket_id, ts, actor, from_state, to_state, note) VALUES ($1, $2, $3, $4, $5, $6)`, [
      ticketId,
      h.ts.toISOString(),
      h.actor,
      h.from ?? null,
      h.to ?? null,
      h.note ?? null,
    ]);
  }

  /** Resolves the active ticket of an outage with its repair time; returns its id, or undefined when none was active. */
  async resolveForOutage(q: Queryable, outageId: string, at: Date, repairSeconds: number, note: string): Promise<string | undefined> {
    const r = await q.query<{ ticket_id: string; from_state: string }>(
      `UPDATE repair_tickets t SET state = 'resolved', resolved_at = $2, repair_seconds = $3, updated_at = now()
       FROM (SELECT ticket_id, state AS from_state FROM repair_tickets WHERE outage_id = $1 FOR UPDATE) old
       WHERE t.ticket_id = old.ticket_id AND old.from_state IN ${ACTIVE}
       RETURNING t.ticket_id, old.from_state`,
      [outageId, at.toISOString(), Math.max(0, Math.round(repairSeconds))],
    );
    const row = r.rows[0];
    if (!row) return undefined;
    await this.addHistory(q, row.ticket_id, { ts: at, actor: 'system', from: row.from_state, to: 'resolved', note });
    return row.ticket_id;
  }

  /** Active tickets whose deadline has passed and that are not yet at level 2. */
  async dueForEscalation(
    now: Date,
    limit = 500,
  ): Promise<{ ticketId: string; openedAt: number; deadline: number; state: TicketState; level: number }[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT ticket_id, opened_at, deadline, state, escalation_level FROM repair_tickets
       WHERE state IN ${ACTIVE} AND deadline <= $1 AND escalation_level < 2 ORDER BY deadline LIMIT ${limit}`,
      [now.toISOString()],
    );
    return r.rows.map((x) => ({
      ticketId: x.ticket_id,
      openedAt: new Date(x.opened_at).getTime(),
      deadline: new Date(x.deadline).getTime(),
      state: x.state,
      level: x.escalation_level,
    }));
  }

  /** Raises the level if it is lower; true for the one caller that did it (history written once). */
  async raiseLevel(ticketId: string, level: number, at: Date, note: string): Promise<boolean> {
    return this.db.tx(async (q) => {
      const r = await q.query(
        `UPDATE repair_tickets SET escalation_level = $2, updated_at = now() WHERE ticket_id = $1 AND escalation_level < $2`,
        [ticketId, level],
      );
      if (r.rowCount === 0) return false;
      await this.addHistory(q, ticketId, { ts: at, actor: 'system', note });
      return true;
    });
  }

  /** Locks a ticket for a change by a person; undefined when unknown or out of scope. */
  async lock(
    q: Queryable,
    id: string,
    scope: Scope = {},
  ): Promise<{ state: TicketState; unitId?: string; districtId?: string } | undefined> {
    const w = scopeWhere(new Where().add('t.ticket_id = ?', id), scope, 'repairs');
    const r = await q.query<Record<string, any>>(
      `SELECT state, unit_id, district_id FROM repair_tickets t ${w.clause} FOR UPDATE`,
      w.params,
    );
    const x = r.rows[0];
    return x ? { state: x.state, unitId: x.unit_id ?? undefined, districtId: x.district_id ?? undefined } : undefined;
  }

  async update(q: Queryable, id: string, f: { state?: TicketState; unitId?: string; at: Date }): Promise<void> {
    await q.query(
      `UPDATE repair_tickets SET state = coalesce($2, state), unit_id = coalesce($3, unit_id),
         resolved_at = CASE WHEN $2 = 'resolved' THEN coalesce(resolved_at, $4) WHEN $2 IN ('open', 'dispatched', 'in_progress') THEN NULL ELSE resolved_at END,
         repair_seconds = CASE WHEN $2 = 'resolved' THEN coalesce(repair_seconds, extract(epoch FROM ($4::timestamptz - opened_at))::int)
                               WHEN $2 IN ('open', 'dispatched', 'in_progress') THEN NULL ELSE repair_seconds END,
         closed_at = CASE WHEN $2 = 'closed' THEN $4 ELSE closed_at END, updated_at = now()
       WHERE ticket_id = $1`,
      [id, f.state ?? null, f.unitId ?? null, f.at.toISOString()],
    );
  }

  async unitInDistrict(q: Queryable, unitId: string, districtId: string | undefined): Promise<boolean> {
    const r = await q.query(`SELECT 1 FROM maintenance_units WHERE id = $1 AND ($2::text IS NULL OR district_id = $2)`, [
      unitId,
      districtId ?? null,
    ]);
    return r.rowCount > 0;
  }

  async get(id: string, now: Date, scope: Scope = {}): Promise<TicketRow | undefined> {
    const w = scopeWhere(new Where([now.toISOString()]).add('t.ticket_id = ?', id), scope, 'repairs');
    const r = await this.db.query<Record<string, any>>(`${SELECT} ${w.clause}`, w.params);
    if (!r.rows[0]) return undefined;
    const t = toTicket(r.rows[0]);
    t.history = (await this.histories([id]))[id] ?? [];
    return t;
  }

  async list(f: TicketFilter, now: Date, scope: Scope = {}): Promise<{ total: number; items: TicketRow[] }> {
    // $1 is `now`, for the overdue flag.
    const w = scopeWhere(new Where([now.toISOString()]), scope, 'repairs')
      .opt('t.state = ?', f.state)
      .opt('t.district_id = ?', f.district)
      .opt('t.unit_id = ?', f.unit)
      .opt('t.camera_id = ?', f.camera);
    if (f.overdue === true) w.raw(`t.state IN ${ACTIVE} AND t.deadline < $1`);
    if (f.overdue === false) w.raw(`NOT (t.state IN ${ACTIVE} AND t.deadline < $1)`);
    const total = (
      await this.db.query<{ n: number }>(`SELECT count(*)::int AS n, $1::timestamptz AS now FROM repair_tickets t ${w.clause}`, w.params)
    ).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `${SELECT} ${w.clause} ORDER BY t.opened_at DESC, t.ticket_id ${pageClause(f, 500)}`,
      w.params,
    );
    const items = r.rows.map(toTicket);
    const h = await this.histories(items.map((t) => t.ticketId));
    for (const t of items) t.history = h[t.ticketId] ?? [];
    return { total, items };
  }

  /**
   * Per district over [from, to): tickets opened, resolved, mean time to repair and SLA compliance (resolved by the
   * deadline); and tickets overdue at `now` per district and maintenance unit.
   */
  async stats(f: { from: Date; to: Date; now: Date; district?: string; scope?: Scope }): Promise<{
    districts: {
      district: string;
      opened: number;
      resolved: number;
      mttrSeconds: number | null;
      withinSla: number;
      slaCompliance: number | null;
      overdue: number;
      escalated: number;
    }[];
    overdueByUnit: { district: string; unit: string | null; unitName: string | null; overdue: number; oldestDeadline: string }[];
  }> {
    // $1 from, $2 to, $3 now.
    const scoped = scopeWhere(new Where([f.from.toISOString(), f.to.toISOString(), f.now.toISOString()]), f.scope ?? {}, 'repairs')
      .raw('t.district_id IS NOT NULL')
      .opt('t.district_id = ?', f.district);
    const [inScope, params] = [scoped.conditions, scoped.params];
    const d = await this.db.query<Record<string, any>>(
      `SELECT t.district_id,
              count(*) FILTER (WHERE t.opened_at >= $1 AND t.opened_at < $2)::int AS opened,
              count(*) FILTER (WHERE t.resolved_at >= $1 AND t.resolved_at < $2)::int AS resolved,
              avg(t.repair_seconds) FILTER (WHERE t.resolved_at >= $1 AND t.resolved_at < $2)::float8 AS mttr,
              count(*) FILTER (WHERE t.resolved_at >= $1 AND t.resolved_at < $2 AND t.resolved_at <= t.deadline)::int AS within_sla,
              count(*) FILTER (WHERE t.state IN ${ACTIVE} AND t.deadline < $3)::int AS overdue,
              count(*) FILTER (WHERE t.escalation_level > 0 AND t.opened_at < $2 AND coalesce(t.resolved_at, 'infinity') >= $1)::int AS escalated
       FROM repair_tickets t WHERE ${inScope} GROUP BY t.district_id ORDER BY t.district_id`,
      params,
    );
    const u = await this.db.query<Record<string, any>>(
      `SELECT t.district_id, t.unit_id, m.name AS unit_name, count(*)::int AS overdue, min(t.deadline) AS oldest, $1::timestamptz AS f, $2::timestamptz AS tt
       FROM repair_tickets t LEFT JOIN maintenance_units m ON m.id = t.unit_id
       WHERE ${inScope} AND t.state IN ${ACTIVE} AND t.deadline < $3 GROUP BY 1, 2, 3 ORDER BY 1, 4 DESC, 2`,
      params,
    );
    return {
      districts: d.rows.map((x) => ({
        district: x.district_id,
        opened: x.opened,
        resolved: x.resolved,
        mttrSeconds: x.mttr === null ? null : Math.round(x.mttr),
        withinSla: x.within_sla,
        slaCompliance: x.resolved > 0 ? x.within_sla / x.resolved : null,
        overdue: x.overdue,
        escalated: x.escalated,
      })),
      overdueByUnit: u.rows.map((x) => ({
        district: x.district_id,
        unit: x.unit_id,
        unitName: x.unit_name,
        overdue: x.overdue,
        oldestDeadline: new Date(x.oldest).toISOString(),
      })),
    };
  }

  private async histories(ids: string[]): Promise<Record<string, TicketHistoryRow[]>> {
    if (ids.length === 0) return {};
    const r = await this.db.query<Record<string, any>>(`SELECT * FROM ticket_history WHERE ticket_id = ANY($1::uuid[]) ORDER BY ts, id`, [
      ids,
    ]);
    const out: Record<string, TicketHistoryRow[]> = {};
    for (const x of r.rows) {
      (out[x.ticket_id] ??= []).push({
        ts: new Date(x.ts).toISOString(),
        actor: x.actor,
        from: x.from_state ?? undefined,
        to: x.to_state ?? undefined,
        note: x.note ?? undefined,
      });
    }
    return out;
  }
}

const SELECT = `SELECT t.*, (t.state IN ${ACTIVE} AND t.deadline < $1) AS overdue, m.name AS unit_name, m.name_zh AS unit_name_zh,
  c.name AS cam_name, c.name_zh AS cam_name_zh, c.priority AS cam_priority, c.status AS cam_status, c.cell_id AS cam_cell, c.district_id AS cam_district, c.lon AS cam_lon, c.lat AS cam_lat
  FROM repair_tickets t JOIN cameras c ON c.id = t.camera_id LEFT JOIN maintenance_units m ON m.id = t.unit_id`;

function toTicket(r: Record<string, any>): TicketRow {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : undefined);
  return {
    ticketId: r.ticket_id,
    cameraId: r.camera_id,
    outageId: r.outage_id,
    cause: r.cause,
    state: r.state,
    district: r.district_id ?? undefined,
    unit: r.unit_id ?? undefined,
    unitName: r.unit_name ?? undefined,
    unitNameZh: r.unit_name_zh ?? undefined,
    openedAt: iso(r.opened_at)!,
    deadline: iso(r.deadline)!,
    escalationLevel: r.escalation_level,
    resolvedAt: iso(r.resolved_at),
    repairSeconds: r.repair_seconds ?? undefined,
    closedAt: iso(r.closed_at),
    updatedAt: iso(r.updated_at)!,
    overdue: r.overdue === true,
    camera: {
      id: r.camera_id,
      name: r.cam_name,
      nameZh: r.cam_name_zh ?? undefined,
      priority: r.cam_priority,
      status: r.cam_status,
      cellId: r.cam_cell ?? undefined,
      districtId: r.cam_district ?? undefined,
      lon: r.cam_lon ?? undefined,
      lat: r.cam_lat ?? undefined,
    },
  };
}
