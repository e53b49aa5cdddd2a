// One small database interface over the three backends: a PostgreSQL server through `pg` (plain or with
// TimescaleDB) and the embedded PGlite. Repositories see only this, so their SQL is the same everywhere.
import pg from 'pg';

export type Backend = 'timescaledb' | 'postgres' | 'embedded';

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Queryable {
  query<T = Record<string, any>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface Db extends Queryable {
  readonly backend: Backend;
  /** True when the timescaledb extension is installed in this database. */
  readonly timescale: boolean;
  readonly version: string;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Whether the database refused the rows themselves (SQLSTATE class 22, data exception, or 23, integrity constraint)
 * rather than failed to write them: trying the same rows again would fail the same way. Both drivers set `code`.
 */
export function isRowRefused(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

// int8 (counts, bigserial) as numbers, the same as PGlite returns them.
pg.types.setTypeParser(20, (v) => Number(v));

export interface ServerDbOptions {
  max?: number;
  /** Milliseconds to wait for a connection before failing the query. */
  connectTimeout?: number;
}

export class PgDb implements Db {
  backend: Backend = 'postgres';
  timescale = false;
  version = '';
  readonly pool: pg.Pool;

  constructor(
    readonly url: string,
    opts: ServerDbOptions = {},
  ) {
    this.pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10, connectionTimeoutMillis: opts.connectTimeout ?? 5000 });
    // An idle client losing its server (database restart) must not crash the process.
    this.pool.on('error', () => {});
  }

  async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    const r = await this.pool.query(sql, params as unknown[]);
    return { rows: r.rows as T[], rowCount: r.rowCount ?? 0 };
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const q: Queryable = {
        query: async <R>(sql: string, params?: unknown[]) => {
          const r = await client.query(sql, params as unknown[]);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
      };
      const out = await fn(q);
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }

  async ping(): Promise<boolean> {
    try {
      await this.pool.query('select 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** The subset of PGlite's API we use; both @electric-sql/pglite and the TimescaleDB build provide it. */
export interface PgliteLike {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[]; affectedRows?: number }>;
  exec(sql: string): Promise<unknown>;
  transaction<T>(
    fn: (tx: { query<R>(sql: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }> }) => Promise<T>,
  ): Promise<T>;
  close(): Promise<void>;
  closed?: boolean;
}

export class PgliteDb implements Db {
  backend: Backend = 'embedded';
  timescale = false;
  version = '';

  constructor(readonly pglite: PgliteLike) {}

  async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    const r = await this.pglite.query<T>(sql, params);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  }

  async exec(sql: string): Promise<void> {
    await this.pglite.exec(sql);
  }

  async tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T> {
    return this.pglite.transaction(async (t) =>
      fn({
        query: async <R>(sql: string, params?: unknown[]) => {
          const r = await t.query<R>(sql, params);
          return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
        },
      }),
    );
  }

  async ping(): Promise<boolean> {
    return !this.pglite.closed;
  }

  async close(): Promise<void> {
    if (!this.pglite.closed) await this.pglite.close();
  }
}
