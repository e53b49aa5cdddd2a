// Versioned SQL migrations (postgrator) from migrations/common plus the time-series variant of the backend:
// migrations/timescale where the timescaledb extension is available, migrations/postgres otherwise.
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import Postgrator from 'postgrator';
import type { Db, Queryable } from './db.ts';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations', import.meta.url));

type Variant = 'timescale' | 'postgres';

async function chooseVariant(q: Queryable): Promise<Variant> {
  // A database migrated before keeps its variant, even if the extension appears or disappears later.
  const done = await q.query<{ b: string }>(`SELECT CASE WHEN to_regproc('gw_backend') IS NULL THEN NULL ELSE 'migrated' END AS b`);
  if (done.rows[0]?.b) {
    const r = await q.query<{ backend: string }>('SELECT gw_backend() AS backend');
    return r.rows[0].backend === 'timescaledb' ? 'timescale' : 'postgres';
  }
  const ext = await q.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  return ext.rows.length > 0 ? 'timescale' : 'postgres';
}

/** Brings the schema up to date; returns the versions applied now. Safe to call from several processes at once. */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<number[]> {
  return withSession(db, async (q) => {
    await q.query('SELECT pg_advisory_lock(72270001)');
    try {
      const variant = await chooseVariant(q);
      const database = (await q.query<{ d: string }>('SELECT current_database() AS d')).rows[0].d;
      const postgrator = new Postgrator({
        migrationPattern: path.join(dir, `{common,${variant}}`, '*.sql').replaceAll('\\', '/'),
        driver: 'pg',
        database,
        schemaTable: 'schemaversion',
        execQuery: async (sql: string) => ({ rows: (await q.query(sql)).rows }),
        execSqlScript: (sql: string) => q.exec(sql),
      });
      const applied = await postgrator.migrate();
      return applied.map((m) => m.version);
    } finally {
      await q.query('SELECT pg_advisory_unlock(72270001)');
    }
  });
}

/** Runs fn on one session: a dedicated pool client for a server, the single connection for PGlite. */
type Session = Queryable & { exec(sql: string): Promise<void> };

async function withSession<T>(db: Db, fn: (q: Session) => Promise<T>): Promise<T> {
  const pool = (db as { pool?: import('pg').Pool }).pool;
  if (!pool) return fn(db);
  const client = await pool.connect();
  try {
    return await fn({
      query: async <R>(sql: string, params?: unknown[]) => {
        const r = await client.query(sql, params as unknown[]);
        return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
      },
      exec: async (sql: string) => {
        await client.query(sql);
      },
    });
  } finally {
    client.release();
  }
}
