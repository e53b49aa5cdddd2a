// Every query on camera_state, camera_status_history and outages: the detector's shared state and what it records.
import type { Queryable } from '../db.ts';
import type { CameraState, OutageCause } from '../../events/index.ts';
import type { Scope } from '../../auth/scope.ts';
import { scopeWhere, Where } from '../where.ts';

/**
 * What the offline detector remembers about one camera (times in epoch milliseconds): kept in camera_state, the
 * state of analytics' pure state machine (its DetectorState extends this).
 */
export interface DetectorMemory {
  status: CameraState;
  statusSince?: number;
  /** Consecutive failed checks while up. */
  failures: number;
  failSince?: number;
  failCause?: OutageCause;
  /** Start of the current continuous up period while recovering or flapping. */
  upSince?: number;
  /** Times of recent down/up toggles, within the flap window. */
  toggles: number[];
  /** Open video-quality issue (black, frozen, covered, no_video, low_quality), orthogonal to reachability. */
  quality?: OutageCause;
  qualitySince?: number;
  lastTs?: number;
}

/** A camera_state row as the detector sees it: its memory, where the camera is, the open outage and a change number. */
export interface CameraStateRow extends DetectorMemory {
  cameraId: string;
  priority: string;
  districtId?: string;
  cellId?: string;
  outageId?: string;
  /** Change number: bumped on every write, so workers can tell a cached state is stale. */
  seq: number;
}

export interface StatusChangeRow {
  cameraId: string;
  ts: number;
  from: string;
  to: string;
  reason: string;
}

export interface OutageRow {
  outageId: string;
  cameraId: string;
  start: string;
  end?: string;
  cause: OutageCause;
}

const ms = (v: unknown): number | undefined => (v ? new Date(v as string).getTime() : undefined);
const iso = (v: number | undefined): string | null => (v === undefined ? null : new Date(v).toISOString());

export class OutagesRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Creates missing state rows for known cameras; returns the ids that exist in `cameras`. New rows carry change
   * number 0: every worker would create the same initial state, so there is nothing to announce.
   */
  async ensureStates(ids: readonly string[], q: Queryable = this.db): Promise<string[]> {
    const r = await q.query<{ id: string }>(
      `WITH known AS (SELECT id FROM cameras WHERE id = ANY($1::text[])),
            ins AS (INSERT INTO camera_state (camera_id, seq) SELECT id, 0 FROM known ON CONFLICT DO NOTHING)
       SELECT id FROM known`,
      [ids],
    );
    return r.rows.map((x) => x.id);
  }

  /**
   * Locks and reads the states of these cameras for the rest of the transaction. Rows are locked in id order,
   * so two workers handling overlapping batches wait for each other instead of deadlocking.
   */
  async lockStates(q: Queryable, ids: readonly string[], skipLocked = false): Promise<CameraStateRow[]> {
    const r = await q.query<Record<string, any>>(
      `SELECT s.*, c.priority, c.district_id, c.cell_id FROM camera_state s JOIN cameras c ON c.id = s.camera_id
       WHERE s.camera_id = ANY($1::text[]) ORDER BY s.camera_id FOR UPDATE OF s${skipLocked ? ' SKIP LOCKED' : ''}`,
      [ids],
    );
    return r.rows.map(toState);
  }

  /** Reads states without locking (to fill a worker's cache). */
  async loadStates(ids: readonly string[]): Promise<CameraStateRow[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT s.*, c.priority, c.district_id, c.cell_id FROM camera_state s JOIN cameras c ON c.id = s.camera_id WHERE s.camera_id = ANY($1::text[])`,
      [ids],
    );
    return r.rows.map(toState);
  }

  /** Rows written since change number `after`, plus those with the listed numbers (commits that landed late). */
  async changedSince(after: number, also: readonly number[]): Promise<{ cameraId: string; seq: number }[]> {
    const r = await this.db.query<{ camera_id: string; seq: number }>(
      `SELECT camera_id, seq FROM camera_state WHERE seq > $1 OR seq = ANY($2::bigint[]) ORDER BY seq LIMIT 100000`,
      [after, also],
    );
    return r.rows.map((x) => ({ cameraId: x.camera_id, seq: Number(x.seq) }));
  }

  async maxSeq(): Promise<number> {
    return Number((await this.db.query<{ n: string }>(`SELECT coalesce(max(seq), 0) AS n FROM camera_state`)).rows[0].n);
  }

  /** Ids of cameras back up since before `upBefore` and still waiting to be declared stable. */
  async dueForStability(upBefore: Date, limit = 1000): Promise<string[]> {
    const r = await this.db.query<{ camera_id: string }>(
      `SELECT camera_id FROM camera_state WHERE status IN ('recovering', 'flapping') AND up_since <= $1 ORDER BY camera_id LIMIT ${limit}`,
      [upBefore.toISOString()],
    );
    return r.rows.map((x) => x.camera_id);
  }

  /** Writes states; returns each row's new change number. */
  async saveStates(q: Queryable, rows: readonly CameraStateRow[]): Promise<Map<string, number>> {
    if (rows.length === 0) return new Map();
    const r = await q.query<{ camera_id: string; seq: string | number }>(
      `${UPDATE_STATES} RETURNING s.camera_id, s.seq`,
      stateParams(rows),
    );
    return new Map(r.rows.map((x) => [x.camera_id, Number(x.seq)]));
  }

  /**
   * Writes states whose row still carries the change number it was read with, and the transitions of those rows,
   * in one statement of the caller's transaction; rows another worker changed meanwhile are left alone (the caller
   * retries them under lock).
   */
  async saveIfUnchanged(
    q: Queryable,
    rows: readonly (CameraStateRow & { readSeq: number })[],
    changes: readonly StatusChangeRow[],
  ): Promise<Map<string, number>> {
    if (rows.length === 0) return new Map();
    const n = 12;
    const r = await q.query<{ camera_id: string; seq: string | number }>(
      `WITH s AS (${UPDATE_STATES.replace('$12::timestamptz[]) AS u(camera_id,', `$12::timestamptz[], $${n + 1}::bigint[]) AS u(camera_id,`).replace('last_ts)', 'last_ts, read_seq)')}
                  AND s.seq = u.read_seq RETURNING s.camera_id, s.seq),
            h AS (INSERT INTO camera_status_history (camera_id, ts, from_state, to_state, reason)
                  SELECT x.* FROM unnest($${n + 2}::text[], $${n + 3}::timestamptz[], $${n + 4}::text[], $${n + 5}::text[], $${n + 6}::text[]) AS x(camera_id, ts, f, t, reason)
                  WHERE x.camera_id IN (SELECT camera_id FROM s)),
            c AS (UPDATE cameras c SET status = u.status, status_since = u.ts, updated_at = now()
                  FROM unnest($${n + 7}::text[], $${n + 8}::text[], $${n + 9}::timestamptz[]) AS u(id, status, ts)
                  WHERE c.id = u.id AND u.id IN (SELECT camera_id FROM s))
       SELECT camera_id, seq FROM s`,
      [...stateParams(rows), rows.map((x) => x.readSeq), ...historyParams(changes)],
    );
    return new Map(r.rows.map((x) => [x.camera_id, Number(x.seq)]));
  }

  /** Records transitions and mirrors each camera's latest state on cameras.status (for the API), in one statement. */
  async insertHistory(q: Queryable, changes: readonly StatusChangeRow[]): Promise<void> {
    if (changes.length === 0) return;
    await q.query(
      `WITH h AS (INSERT INTO camera_status_history (camera_id, ts, from_state, to_state, reason)
                  SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[]))
       UPDATE cameras c SET status = u.status, status_since = u.ts, updated_at = now()
       FROM unnest($6::text[], $7::text[], $8::timestamptz[]) AS u(id, status, ts) WHERE c.id = u.id`,
      historyParams(changes),
    );
  }

  async history(cameraId: string, limit = 100): Promise<StatusChangeRow[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM camera_status_history WHERE camera_id = $1 ORDER BY ts DESC, id DESC LIMIT ${limit}`,
      [cameraId],
    );
    return r.rows.map((x) => ({
      cameraId: x.camera_id,
      ts: new Date(x.ts).getTime(),
      from: x.from_state,
      to: x.to_state,
      reason: x.reason,
    }));
  }

  /** Opens the camera's outage; when one is open already (replay, another worker), returns that one instead. */
  async open(
    q: Queryable,
    o: { outageId: string; cameraId: string; start: Date; cause: OutageCause },
  ): Promise<{ outageId: string; created: boolean }> {
    const r = await q.query<{ outage_id: string }>(
      `INSERT INTO outages (outage_id, camera_id, start_ts, cause) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING outage_id`,
      [o.outageId, o.cameraId, o.start.toISOString(), o.cause],
    );
    if (r.rows[0]) return { outageId: r.rows[0].outage_id, created: true };
    const open = await q.query<{ outage_id: string }>(`SELECT outage_id FROM outages WHERE camera_id = $1 AND end_ts IS NULL`, [
      o.cameraId,
    ]);
    return { outageId: open.rows[0].outage_id, created: false };
  }

  /** Closes the camera's open outage; returns it, or undefined when none was open. */
  async close(q: Queryable, cameraId: string, end: Date): Promise<OutageRow | undefined> {
    const r = await q.query<Record<string, any>>(
      `UPDATE outages SET end_ts = greatest($2::timestamptz, start_ts) WHERE camera_id = $1 AND end_ts IS NULL RETURNING *`,
      [cameraId, end.toISOString()],
    );
    return r.rows[0] ? toOutage(r.rows[0]) : undefined;
  }

  async list(cameraId: string): Promise<OutageRow[]> {
    const r = await this.db.query<Record<string, any>>(`SELECT * FROM outages WHERE camera_id = $1 ORDER BY start_ts`, [cameraId]);
    return r.rows.map(toOutage);
  }

  /**
   * Per district over [from, to): cameras, outages overlapping the period, their causes, and camera-time down,
   * with ongoing outages counted until `now`. Uptime = 1 − down / (cameras × period).
   */
  async uptimeByDistrict(f: { from: Date; to: Date; now: Date; district?: string; scope?: Scope }): Promise<
    {
      district: string;
      cameras: number;
      outages: number;
      downSeconds: number;
      periodSeconds: number;
      uptime: number;
      causes: Record<string, number>;
    }[]
  > {
    const end = new Date(Math.min(f.to.getTime(), f.now.getTime()));
    const cams = scopeWhere(new Where([f.from.toISOString(), end.toISOString()]), f.scope ?? {}, 'cameras')
      .raw('district_id IS NOT NULL')
      .opt('district_id = ?', f.district);
    const r = await this.db.query<Record<string, any>>(
      `WITH cams AS (SELECT id, district_id FROM cameras ${cams.clause}),
            o AS (SELECT o.camera_id, o.cause, greatest(o.start_ts, $1::timestamptz) AS s, least(coalesce(o.end_ts, $2::timestamptz), $2::timestamptz) AS e
                  FROM outages o WHERE o.start_ts < $2::timestamptz AND coalesce(o.end_ts, 'infinity') > $1::timestamptz)
       SELECT c.district_id, count(DISTINCT c.id)::int AS cameras, count(o.camera_id)::int AS outages,
              coalesce(sum(extract(epoch FROM o.e - o.s)), 0)::float8 AS down_seconds,
              array_remove(array_agg(o.cause), NULL) AS causes
       FROM cams c LEFT JOIN o ON o.camera_id = c.id GROUP BY c.district_id ORDER BY c.district_id`,
      cams.params,
    );
    const period = Math.max(0, (end.getTime() - f.from.getTime()) / 1000);
    return r.rows.map((x) => {
      const causes: Record<string, number> = {};
      for (const c of x.causes as string[]) causes[c] = (causes[c] ?? 0) + 1;
      const total = x.cameras * period;
      return {
        district: x.district_id,
        cameras: x.cameras,
        outages: x.outages,
        downSeconds: Math.round(x.down_seconds),
        periodSeconds: Math.round(period),
        uptime: total > 0 ? Math.max(0, 1 - x.down_seconds / total) : 1,
        causes,
      };
    });
  }

  async state(cameraId: string): Promise<CameraStateRow | undefined> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT s.*, c.priority, c.district_id, c.cell_id FROM camera_state s JOIN cameras c ON c.id = s.camera_id WHERE s.camera_id = $1`,
      [cameraId],
    );
    return r.rows[0] ? toState(r.rows[0]) : undefined;
  }
}

function toState(r: Record<string, any>): CameraStateRow {
  return {
    cameraId: r.camera_id,
    priority: r.priority,
    districtId: r.district_id ?? undefined,
    cellId: r.cell_id ?? undefined,
    status: r.status,
    statusSince: ms(r.status_since),
    failures: r.failures,
    failSince: ms(r.fail_since),
    failCause: r.fail_cause ?? undefined,
    upSince: ms(r.up_since),
    toggles:
      (r.toggles as (string | Date)[] | string).constructor === String
        ? parseArray(r.toggles as string)
        : (r.toggles as (string | Date)[]).map((t) => new Date(t).getTime()),
    quality: r.quality ?? undefined,
    qualitySince: ms(r.quality_since),
    outageId: r.outage_id ?? undefined,
    lastTs: ms(r.last_ts),
    seq: Number(r.seq),
  };
}

/** PGlite may hand back a timestamptz[] as its text form. */
function parseArray(text: string): number[] {
  const inner = text.replace(/^\{|\}$/g, '');
  return inner ? inner.split(',').map((t) => new Date(t.replace(/"/g, '')).getTime()) : [];
}

function toOutage(r: Record<string, any>): OutageRow {
  return {
    outageId: r.outage_id,
    cameraId: r.camera_id,
    start: new Date(r.start_ts).toISOString(),
    end: r.end_ts ? new Date(r.end_ts).toISOString() : undefined,
    cause: r.cause,
  };
}

const UPDATE_STATES = `UPDATE camera_state s SET status = u.status, status_since = u.status_since, failures = u.failures, fail_since = u.fail_since,
    fail_cause = u.fail_cause, up_since = u.up_since, toggles = ARRAY(SELECT to_timestamp(x::float8 / 1000) FROM jsonb_array_elements_text(u.toggles) x(x)),
    quality = u.quality, quality_since = u.quality_since, outage_id = u.outage_id, last_ts = u.last_ts, updated_at = now(),
    seq = nextval('camera_state_seq')
  FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::timestamptz[], $6::text[], $7::timestamptz[], $8::jsonb[],
              $9::text[], $10::timestamptz[], $11::uuid[], $12::timestamptz[]) AS u(camera_id, status, status_since, failures, fail_since, fail_cause, up_since, toggles, quality, quality_since, outage_id, last_ts)
  WHERE s.camera_id = u.camera_id`;

function stateParams(rows: readonly CameraStateRow[]): unknown[] {
  const col = <T>(f: (r: CameraStateRow) => T) => rows.map(f);
  return [
    col((r) => r.cameraId),
    col((r) => r.status),
    col((r) => iso(r.statusSince)),
    col((r) => r.failures),
    col((r) => iso(r.failSince)),
    col((r) => r.failCause ?? null),
    col((r) => iso(r.upSince)),
    col((r) => JSON.stringify(r.toggles)),
    col((r) => r.quality ?? null),
    col((r) => iso(r.qualitySince)),
    col((r) => r.outageId ?? null),
    col((r) => iso(r.lastTs)),
  ];
}

/** Transitions as eight arrays: the history rows, then each camera's latest state for the cameras mirror. */
function historyParams(changes: readonly StatusChangeRow[]): unknown[] {
  const last = new Map(changes.map((c) => [c.cameraId, c]));
  return [
    changes.map((c) => c.cameraId),
    changes.map((c) => iso(c.ts)),
    changes.map((c) => c.from),
    changes.map((c) => c.to),
    changes.map((c) => c.reason),
    [...last.keys()],
    [...last.values()].map((c) => c.to),
    [...last.values()].map((c) => iso(c.ts)),
  ];
}
