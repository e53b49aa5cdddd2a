// Every query on face matches (time series of migration 003) and on faces that matched nobody (face_sightings).
import type { Db } from '../db.ts';
import type { FaceMatch } from '../../events/index.ts';
import type { Scope } from '../../auth/scope.ts';
import { ensurePartitionsFor } from '../partitions.ts';
import { pageClause, scopeWhere, Where } from '../where.ts';

export interface FaceMatchRow extends FaceMatch {
  districtId?: string;
  watchlistName?: string;
  level?: string;
  personName?: string;
}

export interface FaceMatchFilter {
  watchlistId?: string;
  personId?: string;
  propertyId?: string;
  from?: string;
  to?: string;
  limit?: number;
  offset?: number;
}

export interface Sighting {
  id: string;
  ts: string;
  captureId: string;
  descriptor: ArrayLike<number>;
  cropPath?: string;
  cameraId?: string;
  propertyId?: string;
  doorId?: string;
}

export class FaceMatchesRepository {
  constructor(private readonly db: Db) {}

  /** Stores a match once (a redelivered capture yields the same match id); true when it is new. */
  async insert(m: FaceMatch & { districtId?: string }): Promise<boolean> {
    await ensurePartitionsFor(this.db, this.db, 'face_matches', [m.ts]);
    const r = await this.db.query(
      `INSERT INTO face_matches (match_id, ts, capture_id, person_id, watchlist_id, distance, crop_path, camera_id, property_id, door_id, district_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [
        m.matchId,
        m.ts,
        m.captureId,
        m.personId,
        m.watchlistId,
        m.distance,
        m.cropPath ?? null,
        m.cameraId ?? null,
        m.propertyId ?? null,
        m.doorId ?? null,
        m.districtId ?? null,
      ],
    );
    return r.rowCount > 0;
  }

  async get(matchId: string, scope: Scope = {}): Promise<FaceMatchRow | undefined> {
    const w = scopeWhere(new Where().add('m.match_id::text = ?', matchId), scope, 'faceMatches');
    const r = await this.db.query<Record<string, any>>(`${SELECT} ${w.clause} LIMIT 1`, w.params);
    return r.rows[0] ? toMatch(r.rows[0]) : undefined;
  }

  async list(f: FaceMatchFilter, scope: Scope = {}): Promise<{ total: number; items: FaceMatchRow[] }> {
    const w = scopeWhere(new Where(), scope, 'faceMatches')
      .opt('m.watchlist_id = ?', f.watchlistId)
      .opt('m.person_id = ?', f.personId)
      .opt('m.property_id = ?', f.propertyId)
      .opt('m.ts >= ?::timestamptz', f.from)
      .opt('m.ts < ?::timestamptz', f.to);
    const total = (await this.db.query<{ n: number }>(`SELECT count(*)::int AS n ${FROM} ${w.clause}`, w.params)).rows[0].n;
    const r = await this.db.query<Record<string, any>>(`${SELECT} ${w.clause} ORDER BY m.ts DESC, m.match_id ${pageClause(f)}`, w.params);
    return { total, items: r.rows.map(toMatch) };
  }

  /** District (and cell) of a capture's door or camera, for scoping what it raises. */
  async placeOf(c: { propertyId?: string; cameraId?: string }): Promise<{ district?: string; cell?: string }> {
    const r = await this.db.query<{ district_id: string | null; cell_id: string | null }>(
      `SELECT district_id, cell_id FROM properties WHERE id = $1
       UNION ALL SELECT district_id, cell_id FROM cameras WHERE id = $2 LIMIT 1`,
      [c.propertyId ?? null, c.cameraId ?? null],
    );
    const row = r.rows[0];
    return { district: row?.district_id ?? undefined, cell: row?.cell_id ?? undefined };
  }

  async insertSighting(s: Sighting): Promise<void> {
    await this.db.query(
      `INSERT INTO face_sightings (id, ts, capture_id, descriptor, crop_path, camera_id, property_id, door_id)
       VALUES ($1, $2, $3, $4::real[], $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
      [s.id, s.ts, s.captureId, Array.from(s.descriptor), s.cropPath ?? null, s.cameraId ?? null, s.propertyId ?? null, s.doorId ?? null],
    );
  }

  async countSightings(): Promise<number> {
    return (await this.db.query<{ n: number }>('SELECT count(*)::int AS n FROM face_sightings')).rows[0].n;
  }

  /** Deletes sightings older than `cutoff`; returns their crop paths so the files can go too. */
  async deleteSightingsBefore(cutoff: Date): Promise<string[]> {
    const r = await this.db.query<{ crop_path: string | null }>('DELETE FROM face_sightings WHERE ts < $1 RETURNING crop_path', [
      cutoff.toISOString(),
    ]);
    return r.rows.flatMap((x) => (x.crop_path ? [x.crop_path] : []));
  }
}

const FROM = `FROM face_matches m LEFT JOIN watchlists w ON w.id::text = m.watchlist_id`;
const SELECT = `SELECT m.*, w.name AS watchlist_name, w.level, p.name AS person_name ${FROM}
  LEFT JOIN watchlist_persons p ON p.id::text = m.person_id`;

function toMatch(r: Record<string, any>): FaceMatchRow {
  return {
    matchId: r.match_id,
    captureId: r.capture_id,
    ts: new Date(r.ts).toISOString(),
    personId: r.person_id,
    watchlistId: r.watchlist_id,
    distance: Number(r.distance),
    cropPath: r.crop_path ?? undefined,
    cameraId: r.camera_id ?? undefined,
    propertyId: r.property_id ?? undefined,
    doorId: r.door_id ?? undefined,
    districtId: r.district_id ?? undefined,
    watchlistName: r.watchlist_name ?? undefined,
    level: r.level ?? undefined,
    personName: r.person_name ?? undefined,
  };
}
