// At-least-once with no duplicates: restarting ingest (killed hard), the broker, or the database mid-stream
// loses no door event and stores none twice. Own Mosquitto (repo config) and, for the database case, own PostgreSQL.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb } from '../helpers/db.ts';
import { groupGone, run, type Running } from '../helpers/run.ts';
import { startMosquitto, type TestBroker } from './helpers/mosquitto.ts';
import { startPostgres, type TestPostgres } from './helpers/postgres.ts';
import { importTestCity, testContext } from './helpers/context.ts';
import { publishDoorEvents } from './helpers/door-publisher.ts';
import { until } from './helpers/wait.ts';
import { IngestService } from '../../ingest/ingest.service.ts';
import { PgDb, type Db } from '../../core/db/db.ts';
import { migrate } from '../../core/db/migrate.ts';
import { describe as describeDb } from '../../core/db/open.ts';
import type { City } from '../../core/city/city.schema.ts';

const COUNT = 3000;
const RATE = 1000;
/** Waits, with a part down, until the stream has published `n` more events (or all of them). */
const downFor = (stream: { ids: string[] }, n: number) => {
  const from = stream.ids.length;
  return until(
    () => stream.ids.length,
    (len) => len >= Math.min(COUNT, from + n),
    20_000,
    `${n} events published while down`,
  );
};

async function stored(db: Db, ids: string[]): Promise<{ rows: number; distinct: number; missing: number }> {
  const r = await db.query<{ rows: number; distinct: number; found: number }>(
    `SELECT count(*)::int AS rows, count(DISTINCT event_id)::int AS distinct,
            count(*) FILTER (WHERE event_id = ANY($1::uuid[]))::int AS found FROM door_events`,
    [ids],
  );
  const x = r.rows[0];
  return { rows: x.rows, distinct: x.distinct, missing: ids.length - x.found };
}

async function deadLetters(db: Db): Promise<number> {
  return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM dead_letters')).rows[0].n;
}

describe('delivery across restarts', () => {
  let broker: TestBroker;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('when ingest is killed hard mid-stream and started again, then every event is stored exactly once', async () => {
    const t = await freshPgDb();
    let ingest: Running | undefined;
    try {
      const city = await importTestCity(t.db);
      const env = {
        DATABASE_URL: t.url!,
        MQTT_URL: broker.url,
        MQTT_CLIENT_ID: 'gw-ingest-restart-test',
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gw-ingest-')),
        LOG_LEVEL: 'info',
        DISCOVERY_INTERVAL: '1h',
        DISCOVERY_INTERFACE: 'lo',
      };
      const start = () => run('npx', ['tsx', 'ingest/main.ts'], env);
      ingest = start();
      await ingest.waitFor(/ingest running/);
      // Held after a third: the kill comes with two thirds still to publish, however slow the machine is.
      const stream = await publishDoorEvents(broker.url, city.doors, { count: COUNT, perSecond: RATE, holdAfter: COUNT / 3 });
      await until(
        () => stored(t.db, stream.ids),
        (s) => s.rows > 300,
        20_000,
        'first rows',
      );
      const killed = ingest.child.pid!;
      await ingest.stop('SIGKILL');
      await until(async () => groupGone(killed), Boolean, 5000, 'killed ingest gone');
      const atKill = (await stored(t.db, stream.ids)).rows;
      stream.resume();
      // Down while traffic flows: at least 300 more events published with nobody consuming (an effect, not a time).
      await downFor(stream, 300);
      ingest = start();
      await ingest.waitFor(/ingest running/);
      await stream.done;
      const s = await until(
        () => stored(t.db, stream.ids),
        (x) => x.missing === 0,
        30_000,
        'all rows',
      );
      expect(atKill).toBeLessThan(COUNT);
      expect(s).toEqual({ rows: COUNT, distinct: COUNT, missing: 0 });
      expect(await deadLetters(t.db)).toBe(0);
      await stream.close();
    } finally {
      await ingest?.stop();
      await t.close();
    }
  });

  it('when the broker is restarted mid-stream, then every event is stored exactly once', async () => {
    const t = await freshPgDb();
    const city = await importTestCity(t.db);
    const ctx = await testContext(
      t.db,
      broker.url,
      { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gw-ingest-')), DISCOVERY_INTERFACE: 'lo' },
      { clientId: 'gw-ingest-broker-test' },
    );
    const ingest = new IngestService(ctx);
    try {
      await ingest.start();
      const stream = await publishDoorEvents(broker.url, city.doors, { count: COUNT, perSecond: RATE });
      await until(
        () => stored(t.db, stream.ids),
        (s) => s.rows > 300,
        20_000,
        'first rows',
      );
      await broker.stop();
      await downFor(stream, 300);
      await broker.start();
      await stream.done;
      const s = await until(
        () => stored(t.db, stream.ids),
        (x) => x.missing === 0,
        30_000,
        'all rows',
      );
      expect(s).toEqual({ rows: COUNT, distinct: COUNT, missing: 0 });
      expect(await deadLetters(t.db)).toBe(0);
      await stream.close();
    } finally {
      await ingest.stop();
      await ctx.bus.close();
      await t.close();
    }
  });

  describe('with a private PostgreSQL', () => {
    let server: TestPostgres;
    let db: PgDb;
    let city: City;
    beforeAll(async () => {
      server = await startPostgres();
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      await admin.query('CREATE DATABASE gridwatch');
      await admin.end();
      db = new PgDb(server.url.replace(/\/postgres$/, '/gridwatch'), { max: 4, connectTimeout: 1000 });
      await migrate(db);
      await describeDb(db);
      city = await importTestCity(db);
    });
    afterAll(async () => {
      await db?.close();
      await server?.close();
    });

    it('when the database stops mid-stream, then ingest reports degraded, stops acknowledging, and on return stores every event once', async () => {
      const ctx = await testContext(
        db,
        broker.url,
        { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gw-ingest-')), DISCOVERY_INTERFACE: 'lo' },
        { clientId: 'gw-ingest-db-test' },
      );
      const ingest = new IngestService(ctx);
      try {
        await ingest.start();
        const stream = await publishDoorEvents(broker.url, city.doors, { count: COUNT, perSecond: RATE });
        await until(
          () => stored(db, stream.ids),
          (s) => s.rows > 300,
          20_000,
          'first rows',
        );
        await server.stop('fast');
        await until(
          () => ctx.health.snapshot().ingest?.degraded,
          (d) => d === true,
          20_000,
          'degraded',
        );
        expect(ctx.health.degraded()).toBe(true);
        // Nothing is acknowledged while rows cannot be committed: the broker keeps the rest.
        const held = ingest.doors.stats();
        expect(held.inFlight).toBeGreaterThan(0);
        await downFor(stream, 300);
        await server.start();
        await stream.done;
        const s = await until(
          () => stored(db, stream.ids),
          (x) => x.missing === 0,
          60_000,
          'all rows',
        );
        expect(s).toEqual({ rows: COUNT, distinct: COUNT, missing: 0 });
        await until(
          () => ctx.health.snapshot().ingest?.degraded,
          (d) => d === false,
          20_000,
          'recovered',
        );
        expect(await deadLetters(db)).toBe(0);
        await stream.close();
      } finally {
        await ingest.stop();
        await ctx.bus.close();
      }
    });
  });
});
