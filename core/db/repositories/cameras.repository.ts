// Queries on cameras: placement and state for analytics, the scoped list for the API. Inventory writes
// (discovery, profiles, URIs, credentials) are added here by ingest.
import type { Db } from '../db.ts';
import { containsPattern } from '../like.ts';
import { pageClause, scopeWhere, Where } from '../where.ts';
import type { CameraPriority, CameraState } from '../../events/index.ts';
import type { Scope } from '../../auth/scope.ts';

export interface CameraRow {
  id: string;
  urn: string | null;
  name: string;
  /** The Chinese name beside `name` (the API answers in the asked language). */
  nameZh: string | null;
  xaddr: string | null;
  cellId: string | null;
  districtId: string | null;
  lon: number | null;
  lat: number | null;
  heading: number | null;
  fov: number | null;
  rangeM: number | null;
  priority: CameraPriority;
  status: CameraState;
  statusSince: string | null;
  authState: string;
  manufacturer: string | null;
  model: string | null;
  firmware: string | null;
  serial: string | null;
  profiles: unknown[];
  streamUri: string | null;
  snapshotUri: string | null;
  lastSeen: string | null;
  vanishedAt: string | null;
  /** How the camera is reached: ONVIF, or a GB/T 28181 channel of the device `parentId`. */
  protocol: 'onvif' | 'gb28181';
  parentId: string | null;
  /** The ONVIF calls of the last inventory that failed (the rest of the inventory is kept). */
  inventoryErrors: { call: string; errorClass: string; message: string }[];
  /** Optional services the camera has (events, snapshot, videoSources); a missing one is not a failure. */
  capabilities: Record<string, boolean>;
}

export interface CameraFilter {
  status?: string;
  district?: string;
  cell?: string;
  priority?: string;
  protocol?: string;
  q?: string;
  limit?: number;
  offset?: number;
  sort?: 'name' | '-name' | 'status' | 'statusSince' | '-statusSince' | 'id';
}

const SORTS: Record<NonNullable<CameraFilter['sort']>, string> = {
  id: 'id ASC',
  name: 'name ASC',
  '-name': 'name DESC',
  status: 'status ASC, id',
  statusSince: 'status_since ASC NULLS LAST, id',
  '-statusSince': 'status_since DESC NULLS LAST, id',
};

export class CamerasRepository {
  constructor(private readonly db: Db) {}

  /** One camera; undefined when unknown or outside `scope`. */
  async get(id: string, scope: Scope = {}): Promise<CameraRow | undefined> {
    const w = scopeWhere(new Where().add('id = ?', id), scope, 'cameras');
    const r = await this.db.query<Record<string, any>>(`SELECT * FROM cameras ${w.clause}`, w.params);
    return r.rows[0] ? toCamera(r.rows[0]) : undefined;
  }

  /** The sealed credentials of one camera (live view and clips open them to read its stream). */
  async sealedCredentials(id: string): Promise<string | null> {
    const r = await this.db.query<{ credentials_enc: string | null }>('SELECT credentials_enc FROM cameras WHERE id = $1', [id]);
    return r.rows[0]?.credentials_enc ?? null;
  }

  async all(): Promise<CameraRow[]> {
    const r = await this.db.query<Record<string, any>>('SELECT * FROM cameras ORDER BY id');
    return r.rows.map(toCamera);
  }

  async list(f: CameraFilter, scope: Scope = {}): Promise<{ total: number; items: CameraRow[] }> {
    const w = scopeWhere(new Where(), scope, 'cameras')
      .opt('status = ?', f.status)
      .opt('district_id = ?', f.district)
      .opt('cell_id = ?', f.cell)
      .opt('priority = ?', f.priority)
      .opt('protocol = ?', f.protocol)
      .opt('(name ILIKE ? OR name_zh ILIKE ? OR id ILIKE ?)', f.q ? containsPattern(f.q) : undefined);
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cameras ${w.clause}`, w.params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM cameras ${w.clause} ORDER BY ${SORTS[f.sort ?? 'id']} ${pageClause(f)}`,
      w.params,
    );
    return { total, items: r.rows.map(toCamera) };
  }

  /** Records a state change; returns false when the camera is unknown or already in that state. */
  async setStatus(id: string, status: CameraState, since: Date): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE cameras SET status = $2, status_since = $3, updated_at = now() WHERE id = $1 AND status IS DISTINCT FROM $2`,
      [id, status, since.toISOString()],
    );
    return r.rowCount > 0;
  }

  /** Sets where the camera's stream and JPEG snapshot are fetched (analytics attaches snapshots to door alerts). */
  async setMediaUris(id: string, uris: { streamUri?: string; snapshotUri?: string }): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE cameras SET stream_uri = coalesce($2, stream_uri), snapshot_uri = coalesce($3, snapshot_uri), updated_at = now() WHERE id = $1`,
      [id, uris.streamUri ?? null, uris.snapshotUri ?? null],
    );
    return r.rowCount > 0;
  }

  async countByStatus(scope: Scope = {}): Promise<Record<string, number>> {
    const w = scopeWhere(new Where(), scope, 'cameras');
    const r = await this.db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM cameras ${w.clause} GROUP BY 1`,
      w.params,
    );
    return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  }

  // Inventory (written by ingest): identity by endpoint urn, address, device details, credentials, history.

  /**
   * Cameras ingest watches: every camera with a known address, with its sealed credentials. Vanished ones stay
   * (their heartbeats keep failing, which is what opens a repair ticket).
   */
  async watchTargets(): Promise<CameraTarget[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT id, urn, xaddr, credentials_enc, auth_state FROM cameras WHERE xaddr IS NOT NULL ORDER BY id`,
    );
    return r.rows.map((x) => ({ id: x.id, urn: x.urn, xaddr: x.xaddr, credentialsEnc: x.credentials_enc, authState: x.auth_state }));
  }

  /** Whether a camera row has this endpoint urn. */
  async hasUrn(urn: string): Promise<boolean> {
    return (await this.db.query('SELECT 1 FROM cameras WHERE urn = $1', [urn])).rows.length > 0;
  }

  /**
   * The ONVIF cameras that are this device by serial number and hardware id (and manufacturer, when both sides know
   * it): what a device that made a new endpoint urn is matched on. Rows without a serial never match.
   */
  async findByDevice(d: {
    manufacturer?: string;
    serial: string;
    hardware?: string;
  }): Promise<{ id: string; urn: string | null; xaddr: string | null }[]> {
    const r = await this.db.query<{ id: string; urn: string | null; xaddr: string | null }>(
      `SELECT id, urn, xaddr FROM cameras WHERE protocol = 'onvif' AND serial = $1 AND hardware IS NOT DISTINCT FROM $2
         AND ($3::text IS NULL OR manufacturer IS NULL OR manufacturer = $3) ORDER BY id`,
      [d.serial, d.hardware ?? null, d.manufacturer ?? null],
    );
    return r.rows;
  }

  /** The camera's endpoint urn changed (firmware that makes a new one per start or after a reset); kept in its history. */
  async changeUrn(id: string, urn: string, now: Date): Promise<void> {
    await this.db.tx(async (q) => {
      const cur = (await q.query<{ urn: string | null }>('SELECT urn FROM cameras WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!cur || cur.urn === urn) return;
      await q.query('UPDATE cameras SET urn = $2, updated_at = now() WHERE id = $1', [id, urn]);
      await q.query(`INSERT INTO camera_history (camera_id, ts, field, old_value, new_value) VALUES ($1, $2, 'urn', $3, $4)`, [
        id,
        now.toISOString(),
        cur.urn,
        urn,
      ]);
    });
  }

  /**
   * Records a camera seen at `xaddr` with endpoint `urn` (WS-Discovery or a configured address). The row with that
   * urn is used — imported from the city registry or found before — so a camera that moves keeps its id; an unknown
   * urn gets a new row with `newId`. Address changes and (re)appearances are kept in camera_history.
   */
  async recordSeen(urn: string, xaddr: string, newId: string, now: Date): Promise<{ id: string; created: boolean; moved: boolean }> {
    return this.db.tx(async (q) => {
      const ts = now.toISOString();
      const found = await q.query<{ id: string; xaddr: string | null; vanished_at: string | null }>(
        'SELECT id, xaddr, vanished_at FROM cameras WHERE urn = $1 FOR UPDATE',
        [urn],
      );
      const row = found.rows[0];
      if (!row) {
        const ins = await q.query<{ id: string }>(
          `INSERT INTO cameras (id, urn, name, xaddr, first_seen, last_seen) VALUES ($1, $2, $1, $3, $4, $4) ON CONFLICT DO NOTHING RETURNING id`,
          [newId, urn, xaddr, ts],
        );
        if (ins.rows.length === 0) throw new Error(`camera ${newId} (${urn}) was created concurrently; retry`);
        await q.query(`INSERT INTO camera_history (camera_id, ts, field, old_value, new_value) VALUES ($1, $2, 'discovered', NULL, $3)`, [
          newId,
          ts,
          xaddr,
        ]);
        return { id: newId, created: true, moved: false };
      }
      await q.query('UPDATE cameras SET xaddr = $2, last_seen = $3, vanished_at = NULL, updated_at = now() WHERE id = $1', [
        row.id,
        xaddr,
        ts,
      ]);
      const moved = row.xaddr !== null && row.xaddr !== xaddr;
      if (row.xaddr !== xaddr) {
        await q.query(`INSERT INTO camera_history (camera_id, ts, field, old_value, new_value) VALUES ($1, $2, 'xaddr', $3, $4)`, [
          row.id,
          ts,
          row.xaddr,
          xaddr,
        ]);
      }
      if (row.vanished_at) {
        await q.query(`INSERT INTO camera_history (camera_id, ts, field, old_value, new_value) VALUES ($1, $2, 'reappeared', $3, $4)`, [
          row.id,
          ts,
          new Date(row.vanished_at).toISOString(),
          ts,
        ]);
      }
      return { id: row.id, created: false, moved };
    });
  }

  /** Stores what the device reports; each changed field (firmware, URIs, …) gets a history row. Returns the changed fields. */
  async updateInventory(id: string, inv: CameraInventory, now: Date): Promise<string[]> {
    return this.db.tx(async (q) => {
      const cur = (await q.query<Record<string, any>>('SELECT * FROM cameras WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (!cur) return [];
      const next: Record<string, string | null> = {
        manufacturer: inv.manufacturer ?? null,
        model: inv.model ?? null,
        firmware: inv.firmware ?? null,
        serial: inv.serial ?? null,
        hardware: inv.hardware ?? null,
        stream_uri: inv.streamUri ?? null,
        snapshot_uri: inv.snapshotUri ?? null,
        profiles: JSON.stringify(inv.profiles),
      };
      // JSONB hands objects back with its own key order: compare canonical forms, not the strings as written.
      const before = (k: string) =>
        k === 'profiles' ? canonicalJson(typeof cur.profiles === 'string' ? JSON.parse(cur.profiles) : cur.profiles) : (cur[k] ?? null);
      const changed = Object.keys(next).filter((k) => before(k) !== (k === 'profiles' ? canonicalJson(inv.profiles) : next[k]));
      await q.query(
        `UPDATE cameras SET manufacturer = $2, model = $3, firmware = $4, serial = $5, hardware = $6, stream_uri = $7, snapshot_uri = $8,
           profiles = $9::jsonb, auth_state = 'ok', last_seen = $10, inventory_errors = $11::jsonb, capabilities = $12::jsonb, updated_at = now() WHERE id = $1`,
        [
          id,
          next.manufacturer,
          next.model,
          next.firmware,
          next.serial,
          next.hardware,
          next.stream_uri,
          next.snapshot_uri,
          next.profiles,
          now.toISOString(),
          JSON.stringify(inv.errors ?? []),
          JSON.stringify(inv.capabilities ?? {}),
        ],
      );
      // The first inventory of a camera is not a change; later differences are kept as history.
      const first = cur.manufacturer === null && cur.model === null && cur.firmware === null;
      if (!first) {
        for (const k of changed) {
          await q.query(`INSERT INTO camera_history (camera_id, ts, field, old_value, new_value) VALUES ($1, $2, $3, $4, $5)`, [
            id,
            now.toISOString(),
            k,
            before(k),
            next[k],
          ]);
        }
      }
      return changed;
    });
  }

  /** `ok`, `auth_failed` or `unknown`; returns true when it changed. */
  async setAuthState(id: string, state: 'ok' | 'auth_failed' | 'unknown'): Promise<boolean> {
    const r = await this.db.query(
      `UPDATE cameras SET auth_state = $2, updated_at = now() WHERE id = $1 AND auth_state IS DISTINCT FROM $2`,
      [id, state],
    );
    return r.rowCount > 0;
  }

  /** Stores credentials already encrypted by the caller (never plain text); false when the camera is unknown. */
  async setCredentials(id: string, sealed: string): Promise<boolean> {
    const r = await this.db.query('UPDATE cameras SET credentials_enc = $2, updated_at = now() WHERE id = $1', [id, sealed]);
    return r.rowCount > 0;
  }

  /**
   * Every watched camera with its sealed credentials and its place in the city (its cell with every ancestor grid
   * unit, and the properties in that cell), which is what credential rules per site match on.
   */
  async credentialTargets(): Promise<CredentialTarget[]> {
    const r = await this.db.query<Record<string, any>>(
      `WITH RECURSIVE up(cell_id, unit_id) AS (
         SELECT id, id FROM grid_units WHERE id IN (SELECT DISTINCT cell_id FROM cameras WHERE cell_id IS NOT NULL)
         UNION SELECT up.cell_id, g.parent_id FROM up JOIN grid_units g ON g.id = up.unit_id WHERE g.parent_id IS NOT NULL),
       units AS (SELECT cell_id, array_agg(unit_id) AS ids FROM up GROUP BY cell_id),
       props AS (SELECT cell_id, array_agg(id) AS ids FROM properties WHERE cell_id IS NOT NULL GROUP BY cell_id)
       SELECT c.id, c.urn, c.xaddr, c.credentials_enc, c.district_id, u.ids AS units, p.ids AS props
         FROM cameras c LEFT JOIN units u ON u.cell_id = c.cell_id LEFT JOIN props p ON p.cell_id = c.cell_id
        WHERE c.xaddr IS NOT NULL ORDER BY c.id`,
    );
    return r.rows.map((x) => ({
      id: x.id,
      urn: x.urn,
      xaddr: x.xaddr,
      credentialsEnc: x.credentials_enc,
      gridUnits: [...new Set([...(x.units ?? []), ...(x.district_id ? [x.district_id] : [])])],
      properties: x.props ?? [],
    }));
  }

  /**
   * Replaces sealed credentials where the row still holds `expected` (what the caller read), so credentials set
   * meanwhile (through the API) are not overwritten; returns the ids written.
   */
  async replaceCredentials(rows: readonly { id: string; sealed: string; expected: string | null }[]): Promise<string[]> {
    if (rows.length === 0) return [];
    const r = await this.db.query<{ id: string }>(
      `UPDATE cameras c SET credentials_enc = n.sealed, updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[]) AS n(id, sealed, expected)
        WHERE c.id = n.id AND c.credentials_enc IS NOT DISTINCT FROM n.expected RETURNING c.id`,
      [rows.map((x) => x.id), rows.map((x) => x.sealed), rows.map((x) => x.expected)],
    );
    return r.rows.map((x) => x.id);
  }

  /** Marks cameras not seen since `before` as vanished (with history); returns their ids. */
  async markVanished(ids: readonly string[], now: Date): Promise<string[]> {
    if (ids.length === 0) return [];
    return this.db.tx(async (q) => {
      const r = await q.query<{ id: string }>(
        `UPDATE cameras SET vanished_at = $2, updated_at = now() WHERE id = ANY($1::text[]) AND vanished_at IS NULL RETURNING id`,
        [ids, now.toISOString()],
      );
      for (const { id } of r.rows) {
        await q.query(`INSERT INTO camera_history (camera_id, ts, field, old_value, new_value) VALUES ($1, $2, 'vanished', NULL, NULL)`, [
          id,
          now.toISOString(),
        ]);
      }
      return r.rows.map((x) => x.id);
    });
  }

  /** What changed on a camera, newest first; `{ total, items }` for pagination. */
  async history(id: string, opts: { limit?: number; offset?: number } = {}): Promise<{ total: number; items: CameraHistoryRow[] }> {
    const total = (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM camera_history WHERE camera_id = $1', [id])).rows[0]
      .n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM camera_history WHERE camera_id = $1 ORDER BY ts DESC, id DESC LIMIT ${Math.min(opts.limit ?? 50, 1000)} OFFSET ${opts.offset ?? 0}`,
      [id],
    );
    return {
      total,
      items: r.rows.map((x) => ({ ts: new Date(x.ts).toISOString(), field: x.field, oldValue: x.old_value, newValue: x.new_value })),
    };
  }
}

export interface CameraTarget {
  id: string;
  urn: string | null;
  xaddr: string;
  credentialsEnc: string | null;
  authState: string;
}

export interface CredentialTarget {
  id: string;
  urn: string | null;
  xaddr: string;
  credentialsEnc: string | null;
  gridUnits: string[];
  properties: string[];
}

export interface CameraInventory {
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  hardware?: string;
  profiles: unknown[];
  streamUri?: string;
  snapshotUri?: string;
  errors?: { call: string; errorClass: string; message: string }[];
  capabilities?: Record<string, boolean>;
}

/** JSON with object keys sorted at every level (equal values give equal text whatever the key order). */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : x,
  );
}

export interface CameraHistoryRow {
  ts: string;
  field: string;
  oldValue: string | null;
  newValue: string | null;
}

export function toCamera(r: Record<string, any>): CameraRow {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: r.id,
    urn: r.urn,
    name: r.name,
    nameZh: r.name_zh ?? null,
    xaddr: r.xaddr,
    cellId: r.cell_id,
    districtId: r.district_id,
    lon: r.lon,
    lat: r.lat,
    heading: r.heading,
    fov: r.fov,
    rangeM: r.range_m,
    priority: r.priority,
    status: r.status,
    statusSince: iso(r.status_since),
    authState: r.auth_state,
    manufacturer: r.manufacturer,
    model: r.model,
    firmware: r.firmware,
    serial: r.serial,
    profiles: typeof r.profiles === 'string' ? JSON.parse(r.profiles) : (r.profiles ?? []),
    streamUri: r.stream_uri,
    snapshotUri: r.snapshot_uri,
    lastSeen: iso(r.last_seen),
    vanishedAt: iso(r.vanished_at),
    inventoryErrors: (typeof r.inventory_errors === 'string' ? JSON.parse(r.inventory_errors) : r.inventory_errors) ?? [],
    capabilities: (typeof r.capabilities === 'string' ? JSON.parse(r.capabilities) : r.capabilities) ?? {},
    protocol: r.protocol ?? 'onvif',
    parentId: r.parent_id ?? null,
  };
}
