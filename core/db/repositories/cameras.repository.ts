// Queries on cameras: placement and state for analytics, the scoped list for the API. Inventory writes
// (discovery, profiles, URIs, credentials) are added here by ingest.
import type { Db } from '../db.ts';
import type { CameraPriority, CameraState } from '../../events/index.ts';
import type { Scope } from '../../auth/scope.ts';

export interface CameraRow {
  id: string;
  urn: string | null;
  name: string;
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
}

export interface CameraFilter {
  status?: string;
  district?: string;
  cell?: string;
  priority?: string;
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

  async get(id: string): Promise<CameraRow | undefined> {
    const r = await this.db.query<Record<string, any>>('SELECT * FROM cameras WHERE id = $1', [id]);
    return r.rows[0] ? toCamera(r.rows[0]) : undefined;
  }

  async all(): Promise<CameraRow[]> {
    const r = await this.db.query<Record<string, any>>('SELECT * FROM cameras ORDER BY id');
    return r.rows.map(toCamera);
  }

  async list(f: CameraFilter, scope: Scope = {}): Promise<{ total: number; items: CameraRow[] }> {
    const params: unknown[] = [];
    const w: string[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      w.push(sql.replaceAll('?', `$${params.length}`));
    };
    // Cameras belong to districts; a property manager sees the cameras of their properties' cells.
    if (scope.districts) add('district_id = ANY(?::text[])', scope.districts);
    if (scope.properties) add('cell_id IN (SELECT cell_id FROM properties WHERE id = ANY(?::text[]))', scope.properties);
    if (f.status) add('status = ?', f.status);
    if (f.district) add('district_id = ?', f.district);
    if (f.cell) add('cell_id = ?', f.cell);
    if (f.priority) add('priority = ?', f.priority);
    if (f.q) add(`(name ILIKE '%' || ? || '%' OR id ILIKE '%' || ? || '%')`, f.q);
    const where = w.length ? `WHERE ${w.join(' AND ')}` : '';
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM cameras ${where}`, params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM cameras ${where} ORDER BY ${SORTS[f.sort ?? 'id']} LIMIT ${Math.min(f.limit ?? 50, 1000)} OFFSET ${f.offset ?? 0}`,
      params,
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
    const params: unknown[] = [];
    const w: string[] = [];
    if (scope.districts) {
      params.push(scope.districts);
      w.push(`district_id = ANY($${params.length}::text[])`);
    }
    const r = await this.db.query<{ status: string; n: number }>(
      `SELECT status, count(*)::int AS n FROM cameras ${w.length ? `WHERE ${w.join(' AND ')}` : ''} GROUP BY 1`,
      params,
    );
    return Object.fromEntries(r.rows.map((x) => [x.status, x.n]));
  }
}

export function toCamera(r: Record<string, any>): CameraRow {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: r.id,
    urn: r.urn,
    name: r.name,
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
  };
}
