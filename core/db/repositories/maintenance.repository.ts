// Upkeep of the time-series tables: partitions ahead, retention, rollup refresh. On TimescaleDB the
// policies do this by themselves on a server; the calls here are harmless there and needed on PGlite builds.
import type { Db } from '../db.ts';

export class MaintenanceRepository {
  constructor(private readonly db: Db) {}

  async tables(): Promise<string[]> {
    return (await this.db.query<{ tbl: string }>('SELECT tbl FROM gw_timeseries ORDER BY tbl')).rows.map((r) => r.tbl);
  }

  async ensureAhead(now: Date, days = 2): Promise<void> {
    const to = new Date(now.getTime() + days * 86_400_000).toISOString();
    for (const t of await this.tables()) await this.db.query('SELECT gw_ensure_partitions($1, $2, $3)', [t, now.toISOString(), to]);
  }

  async setRetention(ms: number): Promise<void> {
    for (const t of await this.tables()) {
      await this.db.query(`SELECT gw_set_retention($1, make_interval(secs => $2))`, [t, ms / 1000]);
    }
  }

  /** Drops data older than each table's retention; returns partitions (or chunks) dropped. */
  async applyRetention(now: Date = new Date()): Promise<number> {
    let n = 0;
    for (const t of await this.tables()) {
      n += (await this.db.query<{ n: number }>('SELECT gw_apply_retention($1, $2) AS n', [t, now.toISOString()])).rows[0].n;
    }
    return n;
  }

  async refreshRollups(): Promise<void> {
    const names = (await this.db.query<{ name: string }>('SELECT name FROM gw_rollups ORDER BY name')).rows.map((r) => r.name);
    for (const name of names) {
      // A continuous aggregate is refreshed by a procedure that cannot run inside a function.
      if (this.db.timescale) await this.db.query(`CALL refresh_continuous_aggregate($1::regclass, NULL, NULL)`, [name]);
      await this.db.query('SELECT gw_refresh_rollup($1)', [name]);
    }
  }

  /** Bytes on disk of a table with its partitions (or chunks), indexes and TOAST, after a VACUUM (sizing). */
  async tableBytes(table: string): Promise<number> {
    if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`not a table name: ${table}`);
    await this.db.query(`VACUUM ANALYZE ${table}`);
    // Hypertable chunks are inherited tables, not declarative partitions: TimescaleDB counts them itself.
    const r = await this.db.query<{ bytes: string }>(
      this.db.timescale
        ? `SELECT hypertable_size($1::regclass)::text AS bytes`
        : `SELECT coalesce(sum(pg_total_relation_size(relid)), 0)::text AS bytes FROM pg_partition_tree($1::regclass)`,
      [table],
    );
    return Number(r.rows[0].bytes);
  }
}
