// Opens the configured database (server URL or embedded PGlite under DATA_DIR), migrates it and reports the backend.
import path from 'node:path';
import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PgDb, PgliteDb, type Db } from './db.ts';
import { migrate } from './migrate.ts';

export interface OpenOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
}

export async function openDb(opts: OpenOptions): Promise<Db> {
  let db: Db;
  if (opts.databaseUrl) {
    db = new PgDb(opts.databaseUrl, { max: opts.poolSize });
  } else {
    const dir = path.resolve(opts.dataDir, 'pglite');
    await mkdir(dir, { recursive: true });
    db = new PgliteDb(await PGlite.create(dir));
  }
  try {
    await migrate(db);
    await describe(db);
  } catch (err) {
    await db.close().catch(() => {});
    throw err;
  }
  return db;
}

/** Fills in backend, timescale and version after migration. */
export async function describe(db: Db): Promise<void> {
  const r = await db.query<{ backend: string; version: string; ts: string | null }>(
    `SELECT gw_backend() AS backend, current_setting('server_version') AS version,
            (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb') AS ts`,
  );
  const row = r.rows[0];
  const target = db as { backend: Db['backend']; timescale: boolean; version: string };
  target.timescale = row.backend === 'timescaledb';
  if (db instanceof PgDb) target.backend = target.timescale ? 'timescaledb' : 'postgres';
  else if (target.timescale) target.backend = 'timescaledb';
  target.version = row.ts ? `${row.version} + TimescaleDB ${row.ts}` : row.version;
}
