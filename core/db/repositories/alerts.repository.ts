// Every query on alerts: idempotent raise (by dedup key), state changes, and the scoped, filtered list.
import type { Db } from '../db.ts';
import type { Alert, AlertState } from '../../events/index.ts';
import type { Scope } from '../../auth/scope.ts';
import { pageClause, scopeWhere, Where } from '../where.ts';

export interface AlertFilter {
  state?: AlertState;
  kind?: string;
  severity?: string;
  district?: string;
  property?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
  sort?: 'ts' | '-ts' | 'severity';
}

export interface AlertRow extends Alert {
  ackedBy?: string;
  ackedAt?: string;
  resolvedBy?: string;
  resolvedAt?: string;
  updatedAt: string;
}

const SEVERITY_ORDER = `CASE severity WHEN 'critical' THEN 5 WHEN 'high' THEN 4 WHEN 'medium' THEN 3 WHEN 'low' THEN 2 ELSE 1 END`;

export class AlertsRepository {
  constructor(private readonly db: Db) {}

  /** Stores the alert unless one with the same dedup key exists; returns true when it is new. */
  async insert(a: Alert): Promise<boolean> {
    const r = await this.db.query(
      `INSERT INTO alerts (alert_id, ts, kind, severity, state, title, subject_kind, subject_id, district_id, town_id,
                           community_id, cell_id, property_id, evidence, dedup_key, title_args)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT DO NOTHING`,
      [
        a.alertId,
        a.ts,
        a.kind,
        a.severity,
        a.state,
        a.title,
        a.subjectKind,
        a.subjectId,
        a.place.district ?? null,
        a.place.town ?? null,
        a.place.community ?? null,
        a.place.cell ?? null,
        a.propertyId ?? null,
        JSON.stringify(a.evidence),
        a.dedupKey ?? null,
        a.titleArgs ? JSON.stringify(a.titleArgs) : null,
      ],
    );
    return r.rowCount > 0;
  }

  async get(id: string, scope: Scope = {}): Promise<AlertRow | undefined> {
    const w = scopeWhere(new Where().add('alert_id = ?', id), scope, 'alerts');
    const r = await this.db.query<Record<string, any>>(`SELECT * FROM alerts ${w.clause}`, w.params);
    return r.rows[0] ? toAlert(r.rows[0]) : undefined;
  }

  /** Moves an alert to acknowledged or resolved; returns the updated row, or undefined when out of scope/unknown. */
  async setState(id: string, state: 'acknowledged' | 'resolved', actor: string, scope: Scope = {}): Promise<AlertRow | undefined> {
    const w = scopeWhere(new Where([id, state, actor]).raw('alert_id = $1'), scope, 'alerts');
    const set =
      state === 'acknowledged'
        ? `state = CASE WHEN state = 'open' THEN 'acknowledged' ELSE state END, acked_by = coalesce(acked_by, $3), acked_at = coalesce(acked_at, now())`
        : `state = 'resolved', resolved_by = coalesce(resolved_by, $3), resolved_at = coalesce(resolved_at, now())`;
    const r = await this.db.query<Record<string, any>>(
      `UPDATE alerts SET ${set}, updated_at = now() WHERE ${w.conditions} AND $2::text IS NOT NULL RETURNING *`,
      w.params,
    );
    return r.rows[0] ? toAlert(r.rows[0]) : undefined;
  }

  /** Resolves open alerts with this dedup key prefix (e.g. when the camera is back). */
  async resolveByKey(dedupKey: string, actor = 'system'): Promise<AlertRow[]> {
    const r = await this.db.query<Record<string, any>>(
      `UPDATE alerts SET state = 'resolved', resolved_by = $2, resolved_at = now(), updated_at = now()
       WHERE dedup_key = $1 AND state <> 'resolved' RETURNING *`,
      [dedupKey, actor],
    );
    return r.rows.map(toAlert);
  }

  async list(f: AlertFilter, scope: Scope = {}): Promise<{ total: number; items: AlertRow[] }> {
    const w = scopeWhere(new Where(), scope, 'alerts')
      .opt('state = ?', f.state)
      .opt('kind = ?', f.kind)
      .opt('severity = ?', f.severity)
      .opt('district_id = ?', f.district)
      .opt('property_id = ?', f.property)
      .opt('ts >= ?::timestamptz', f.from)
      .opt('ts < ?::timestamptz', f.to);
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alerts ${w.clause}`, w.params)).rows[0].n;
    const order = f.sort === 'ts' ? 'ts ASC' : f.sort === 'severity' ? `${SEVERITY_ORDER} DESC, ts DESC` : 'ts DESC';
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM alerts ${w.clause} ORDER BY ${order}, alert_id ${pageClause(f)}`,
      w.params,
    );
    return { total, items: r.rows.map(toAlert) };
  }

  async countOpenBySeverity(): Promise<Record<string, number>> {
    const r = await this.db.query<{ severity: string; n: number }>(
      `SELECT severity, count(*)::int AS n FROM alerts WHERE state = 'open' GROUP BY 1`,
    );
    return Object.fromEntries(r.rows.map((x) => [x.severity, x.n]));
  }
}

function toAlert(r: Record<string, any>): AlertRow {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : undefined);
  return {
    alertId: r.alert_id,
    ts: iso(r.ts)!,
    kind: r.kind,
    severity: r.severity,
    state: r.state,
    title: r.title,
    ...(r.title_args ? { titleArgs: typeof r.title_args === 'string' ? JSON.parse(r.title_args) : r.title_args } : {}),
    subjectKind: r.subject_kind,
    subjectId: r.subject_id,
    place: {
      district: r.district_id ?? undefined,
      town: r.town_id ?? undefined,
      community: r.community_id ?? undefined,
      cell: r.cell_id ?? undefined,
    },
    propertyId: r.property_id ?? undefined,
    evidence: typeof r.evidence === 'string' ? JSON.parse(r.evidence) : (r.evidence ?? {}),
    dedupKey: r.dedup_key ?? undefined,
    ackedBy: r.acked_by ?? undefined,
    ackedAt: iso(r.acked_at),
    resolvedBy: r.resolved_by ?? undefined,
    resolvedAt: iso(r.resolved_at),
    updatedAt: iso(r.updated_at)!,
  };
}
