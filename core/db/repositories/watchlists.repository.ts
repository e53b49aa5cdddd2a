// Every query on watch lists, their persons and enrolment embeddings (tables of migration 300).
import type { Db } from '../db.ts';
import type { Scope } from '../../auth/scope.ts';
import { scopeWhere, Where } from '../where.ts';

export type WatchlistLevel = 'wanted' | 'banned' | 'residents';
export type ScopeKind = 'city' | 'district' | 'property';

export interface WatchlistRow {
  id: string;
  name: string;
  level: WatchlistLevel;
  scope: { kind: ScopeKind; id?: string };
  districtId?: string;
  propertyId?: string;
  threshold?: number;
  createdBy?: string;
  createdAt: string;
  persons: number;
}

export interface NewWatchlist {
  id: string;
  name: string;
  level: WatchlistLevel;
  scope: { kind: ScopeKind; id?: string };
  threshold?: number;
  createdBy?: string;
}

export interface PersonRow {
  id: string;
  watchlistId: string;
  name: string;
  externalId?: string;
  note?: string;
  createdAt: string;
  photos: number;
}

export interface NewEmbedding {
  descriptor: ArrayLike<number>;
  cropPath?: string;
  faceWidth: number;
  sharpness: number;
}

/** One enrolled descriptor with what matching needs to know about its person and list. */
export interface EnrolledFace {
  personId: string;
  personName: string;
  externalId?: string;
  watchlistId: string;
  level: WatchlistLevel;
  scopeKind: ScopeKind;
  districtId?: string;
  propertyId?: string;
  threshold?: number;
  descriptor: number[];
}

export class WatchlistsRepository {
  constructor(private readonly db: Db) {}

  /** A property list takes its district from the property, so district users see it too. */
  async create(w: NewWatchlist): Promise<void> {
    const scopeId = w.scope.kind === 'city' ? null : (w.scope.id ?? null);
    await this.db.query(
      `INSERT INTO watchlists (id, name, level, scope_kind, scope_id, district_id, property_id, threshold, created_by)
       VALUES ($1, $2, $3, $4, $5,
               CASE $4 WHEN 'district' THEN $5 WHEN 'property' THEN (SELECT district_id FROM properties WHERE id = $5) END,
               CASE $4 WHEN 'property' THEN $5 END, $6, $7)`,
      [w.id, w.name, w.level, w.scope.kind, scopeId, w.threshold ?? null, w.createdBy ?? null],
    );
  }

  /** Whether the district or property a list would belong to exists (the city always does). */
  async ownerExists(scope: { kind: ScopeKind; id?: string }): Promise<boolean> {
    if (scope.kind === 'city') return true;
    const sql =
      scope.kind === 'district'
        ? `SELECT 1 FROM grid_units WHERE id = $1 AND level = 'district'`
        : 'SELECT 1 FROM properties WHERE id = $1';
    return (await this.db.query(sql, [scope.id ?? null])).rows.length > 0;
  }

  async get(id: string, scope: Scope = {}): Promise<WatchlistRow | undefined> {
    const w = scopeWhere(new Where().add('w.id::text = ?', id), scope, 'watchlists');
    const r = await this.db.query<Record<string, any>>(`${LIST_SQL} ${w.clause} GROUP BY w.id`, w.params);
    return r.rows[0] ? toList(r.rows[0]) : undefined;
  }

  async list(scope: Scope = {}): Promise<WatchlistRow[]> {
    const w = scopeWhere(new Where(), scope, 'watchlists');
    const r = await this.db.query<Record<string, any>>(`${LIST_SQL} ${w.clause} GROUP BY w.id ORDER BY w.created_at, w.id`, w.params);
    return r.rows.map(toList);
  }

  async remove(id: string): Promise<boolean> {
    return (await this.db.query('DELETE FROM watchlists WHERE id::text = $1', [id])).rowCount > 0;
  }

  /** Adds a person and their embeddings in one transaction. */
  async addPerson(
    p: { id: string; watchlistId: string; name: string; externalId?: string; note?: string },
    faces: readonly NewEmbedding[],
  ): Promise<void> {
    await this.db.tx(async (q) => {
      await q.query(`INSERT INTO watchlist_persons (id, watchlist_id, name, external_id, note) VALUES ($1, $2, $3, $4, $5)`, [
        p.id,
        p.watchlistId,
        p.name,
        p.externalId ?? null,
        p.note ?? null,
      ]);
      for (const f of faces) {
        await q.query(
          `INSERT INTO face_embeddings (person_id, descriptor, crop_path, face_width, sharpness) VALUES ($1, $2::real[], $3, $4, $5)`,
          [p.id, Array.from(f.descriptor), f.cropPath ?? null, f.faceWidth, f.sharpness],
        );
      }
      await q.query('UPDATE watchlists SET updated_at = now() WHERE id = $1', [p.watchlistId]);
    });
  }

  async persons(watchlistId: string): Promise<PersonRow[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT p.*, count(e.id)::int AS photos FROM watchlist_persons p LEFT JOIN face_embeddings e ON e.person_id = p.id
       WHERE p.watchlist_id::text = $1 GROUP BY p.id ORDER BY p.created_at, p.id`,
      [watchlistId],
    );
    return r.rows.map(toPerson);
  }

  /** Removes a person of a list with their embeddings; returns the crop paths to delete. */
  async removePerson(watchlistId: string, personId: string): Promise<string[] | undefined> {
    return this.db.tx(async (q) => {
      const crops = await q.query<{ crop_path: string | null }>(
        `SELECT e.crop_path FROM face_embeddings e JOIN watchlist_persons p ON p.id = e.person_id
         WHERE p.id::text = $1 AND p.watchlist_id::text = $2`,
        [personId, watchlistId],
      );
      const r = await q.query('DELETE FROM watchlist_persons WHERE id::text = $1 AND watchlist_id::text = $2', [personId, watchlistId]);
      if (r.rowCount === 0) return undefined;
      await q.query('UPDATE watchlists SET updated_at = now() WHERE id::text = $1', [watchlistId]);
      return crops.rows.flatMap((c) => (c.crop_path ? [c.crop_path] : []));
    });
  }

  /** Every enrolled descriptor, or one person's, for the in-memory index. */
  async enrolledFaces(filter: { personId?: string } = {}): Promise<EnrolledFace[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT p.id AS person_id, p.name AS person_name, p.external_id, w.id AS watchlist_id, w.level, w.scope_kind,
              w.district_id, w.property_id, w.threshold, e.descriptor
       FROM face_embeddings e JOIN watchlist_persons p ON p.id = e.person_id JOIN watchlists w ON w.id = p.watchlist_id
       ${filter.personId ? 'WHERE p.id::text = $1' : ''}
       ORDER BY e.id`,
      filter.personId ? [filter.personId] : [],
    );
    return r.rows.map((x) => ({
      personId: x.person_id,
      personName: x.person_name,
      externalId: x.external_id ?? undefined,
      watchlistId: x.watchlist_id,
      level: x.level,
      scopeKind: x.scope_kind,
      districtId: x.district_id ?? undefined,
      propertyId: x.property_id ?? undefined,
      threshold: x.threshold ?? undefined,
      descriptor: (x.descriptor as (number | string)[]).map(Number),
    }));
  }

  /** Whether `externalId` is an enrolled resident of `propertyId` (a residents list of that property). */
  async isResident(propertyId: string, externalId: string): Promise<boolean> {
    const r = await this.db.query(
      `SELECT 1 FROM watchlist_persons p JOIN watchlists w ON w.id = p.watchlist_id
       WHERE w.level = 'residents' AND w.property_id = $1 AND p.external_id = $2 LIMIT 1`,
      [propertyId, externalId],
    );
    return r.rows.length > 0;
  }
}

const LIST_SQL = `SELECT w.*, count(p.id)::int AS persons FROM watchlists w LEFT JOIN watchlist_persons p ON p.watchlist_id = w.id`;

const iso = (v: unknown) => new Date(v as string).toISOString();

function toList(r: Record<string, any>): WatchlistRow {
  return {
    id: r.id,
    name: r.name,
    level: r.level,
    scope: r.scope_kind === 'city' ? { kind: 'city' } : { kind: r.scope_kind, id: r.scope_id },
    districtId: r.district_id ?? undefined,
    propertyId: r.property_id ?? undefined,
    threshold: r.threshold ?? undefined,
    createdBy: r.created_by ?? undefined,
    createdAt: iso(r.created_at),
    persons: r.persons ?? 0,
  };
}

function toPerson(r: Record<string, any>): PersonRow {
  return {
    id: r.id,
    watchlistId: r.watchlist_id,
    name: r.name,
    externalId: r.external_id ?? undefined,
    note: r.note ?? undefined,
    createdAt: iso(r.created_at),
    photos: r.photos ?? 0,
  };
}
