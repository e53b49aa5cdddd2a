// Leases that share cameras and WS-Discovery probing between ingest instances (migration 307): one lease per
// instance renewed in one UPDATE, cameras and networks held by an instance while its lease is live. Every test of
// liveness uses the database's clock, so the hosts' clocks never decide who holds what.
import type { Db, Queryable } from '../db.ts';

/** Serialises writes to camera_watchers (transaction-level: released at commit, so a pooler in transaction mode is fine). */
const WATCHERS_LOCK = 72270307;

export interface Held {
  id: string;
  xaddr: string;
}

/** True when the instance named in row `alias` (of camera_watchers or discovery_probers) has a live lease. */
const live = (alias: string) => `EXISTS (SELECT 1 FROM instance_leases l WHERE l.instance = ${alias}.instance AND l.expires_at > now())`;

export class LeasesRepository {
  constructor(private readonly db: Db) {}

  /** Takes the name `instance` for this process (`incarnation`), whoever held it before: a restart keeps its cameras. */
  async join(instance: string, service: string, incarnation: string, ttlMs: number): Promise<void> {
    await this.db.query(
      `INSERT INTO instance_leases (instance, service, incarnation, started_at, renewed_at, expires_at)
       VALUES ($1, $2, $3, now(), now(), now() + $4 * interval '1 millisecond')
       ON CONFLICT (instance) DO UPDATE SET service = EXCLUDED.service, incarnation = EXCLUDED.incarnation,
         started_at = now(), renewed_at = now(), expires_at = EXCLUDED.expires_at`,
      [instance, service, incarnation, ttlMs],
    );
  }

  /**
   * Extends this process's lease if it is still live and still its own; returns whether it was, and the names of
   * the live instances of `service` (this one included when renewed).
   */
  async renew(instance: string, incarnation: string, service: string, ttlMs: number): Promise<{ renewed: boolean; live: string[] }> {
    const r = await this.db.query<{ renewed: number; live: string[] }>(
      `WITH me AS (
         UPDATE instance_leases SET expires_at = now() + $4 * interval '1 millisecond', renewed_at = now()
         WHERE instance = $1 AND incarnation = $2 AND expires_at > now() RETURNING instance)
       SELECT (SELECT count(*) FROM me)::int AS renewed,
              array(SELECT instance FROM instance_leases WHERE service = $3 AND expires_at > now() ORDER BY instance) AS live`,
      [instance, incarnation, service, ttlMs],
    );
    return { renewed: r.rows[0].renewed === 1, live: r.rows[0].live };
  }

  /** Gives up the lease (a clean stop): its cameras and networks are free for the others at once. */
  async leave(instance: string, incarnation: string): Promise<void> {
    await this.db.query('DELETE FROM instance_leases WHERE instance = $1 AND incarnation = $2', [instance, incarnation]);
  }

  /** Leases of instances gone for longer than `olderThanMs` (names retired for good). */
  async forgetExpired(olderThanMs: number): Promise<number> {
    const r = await this.db.query(`DELETE FROM instance_leases WHERE expires_at < now() - $1 * interval '1 millisecond'`, [olderThanMs]);
    return r.rowCount;
  }

  /** Cameras to watch (the fleet's watch targets: those with an address) that no live instance holds. */
  async orphans(): Promise<string[]> {
    const r = await this.db.query<{ id: string }>(
      `SELECT c.id FROM cameras c LEFT JOIN camera_watchers w ON w.camera_id = c.id
       WHERE c.xaddr IS NOT NULL AND (w.instance IS NULL OR NOT ${live('w')}) ORDER BY c.id`,
    );
    return r.rows.map((x) => x.id);
  }

  /** Takes the cameras among `ids` that are free or held by a dead instance, if this process's lease is live. */
  async claim(instance: string, incarnation: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    return this.locked(async (q) => {
      const r = await q.query<{ camera_id: string }>(
        `INSERT INTO camera_watchers (camera_id, instance, since)
         SELECT c, $1, now() FROM unnest($3::text[]) c
         WHERE EXISTS (SELECT 1 FROM instance_leases WHERE instance = $1 AND incarnation = $2 AND expires_at > now())
           AND EXISTS (SELECT 1 FROM cameras WHERE id = c)
         ON CONFLICT (camera_id) DO UPDATE SET instance = EXCLUDED.instance, since = now()
         WHERE camera_watchers.instance <> EXCLUDED.instance AND NOT ${live('camera_watchers')}
         RETURNING camera_id`,
        [instance, incarnation, ids],
      );
      return r.rows.map((x) => x.camera_id);
    });
  }

  /** Hands cameras this instance holds (and no longer watches) to a live instance; returns those handed over. */
  async handOver(from: string, to: string, ids: string[]): Promise<string[]> {
    if (!ids.length) return [];
    return this.locked(async (q) => {
      const r = await q.query<{ camera_id: string }>(
        `UPDATE camera_watchers w SET instance = $2, since = now()
         WHERE w.camera_id = ANY($3::text[]) AND w.instance = $1
           AND EXISTS (SELECT 1 FROM instance_leases l WHERE l.instance = $2 AND l.expires_at > now())
         RETURNING w.camera_id`,
        [from, to, ids],
      );
      return r.rows.map((x) => x.camera_id);
    });
  }

  /** The cameras this process holds now (none once its lease has lapsed or another process took its name). */
  async held(instance: string, incarnation: string): Promise<Held[]> {
    const r = await this.db.query<Held>(
      `SELECT c.id, c.xaddr FROM camera_watchers w JOIN cameras c ON c.id = w.camera_id
       WHERE w.instance = $1 AND c.xaddr IS NOT NULL
         AND EXISTS (SELECT 1 FROM instance_leases WHERE instance = $1 AND incarnation = $2 AND expires_at > now())
       ORDER BY c.id`,
      [instance, incarnation],
    );
    return r.rows;
  }

  /** Which instance holds each camera (live or not), for tests and the health view. */
  async watchers(): Promise<Map<string, { instance: string; live: boolean }>> {
    const r = await this.db.query<{ camera_id: string; instance: string; live: boolean }>(
      `SELECT w.camera_id, w.instance, ${live('w')} AS live FROM camera_watchers w`,
    );
    return new Map(r.rows.map((x) => [x.camera_id, { instance: x.instance, live: x.live }]));
  }

  /** Makes this process the prober of `network` unless another live instance is; returns whether it is now. */
  async claimProber(network: string, instance: string, incarnation: string): Promise<boolean> {
    const r = await this.db.query<{ instance: string }>(
      `INSERT INTO discovery_probers (network, instance, since)
       SELECT $1, $2, now() WHERE EXISTS (SELECT 1 FROM instance_leases WHERE instance = $2 AND incarnation = $3 AND expires_at > now())
       ON CONFLICT (network) DO UPDATE SET instance = EXCLUDED.instance, since = now()
       WHERE discovery_probers.instance <> EXCLUDED.instance AND NOT ${live('discovery_probers')}
       RETURNING instance`,
      [network, instance, incarnation],
    );
    if (r.rows.length) return true;
    const now = await this.db.query<{ instance: string }>(
      `SELECT p.instance FROM discovery_probers p JOIN instance_leases l ON l.instance = p.instance
       WHERE p.network = $1 AND l.incarnation = $2 AND l.expires_at > now()`,
      [network, incarnation],
    );
    return now.rows.length > 0;
  }

  /** The live instance that probes `network`, if any. */
  async proberOf(network: string): Promise<string | undefined> {
    const r = await this.db.query<{ instance: string }>(
      `SELECT p.instance FROM discovery_probers p WHERE p.network = $1 AND ${live('p')}`,
      [network],
    );
    return r.rows[0]?.instance;
  }

  private locked<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.db.tx(async (q) => {
      await q.query('SELECT pg_advisory_xact_lock($1)', [WATCHERS_LOCK]);
      return fn(q);
    });
  }
}
