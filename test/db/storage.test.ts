// The same migrations and repository SQL on PostgreSQL 15, embedded PGlite and TimescaleDB.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, type TestDb } from '../helpers/db.ts';
import { DoorEventsRepository, MaintenanceRepository } from '../../core/db/index.ts';
import type { DoorEvent } from '../../core/events/index.ts';

function doorEvent(ts: Date, over: Partial<DoorEvent> = {}): DoorEvent {
  return {
    eventId: randomUUID(),
    ts: ts.toISOString(),
    propertyId: 'p1',
    doorId: 'd1',
    type: 'granted',
    receivedAt: new Date().toISOString(),
    ...over,
  };
}

for (const [name, open] of Object.entries(backends)) {
  describe(`storage on ${name}`, () => {
    let t: TestDb;
    beforeAll(async () => {
      t = await open();
    });
    afterAll(async () => {
      await t?.close();
    });

    it('when migrated, then it reports its backend and has every event table', async () => {
      expect(t.db.backend).toBe(name);
      expect(t.db.timescale).toBe(name === 'timescaledb');
      const r = await t.db.query<{ tbl: string }>('SELECT tbl FROM gw_timeseries ORDER BY tbl');
      expect(r.rows.map((x) => x.tbl)).toEqual(expect.arrayContaining(['camera_events', 'camera_health', 'door_events', 'face_matches']));
    });

    it('when a batch is replayed, then nothing is stored twice', async () => {
      const repo = new DoorEventsRepository(t.db);
      const now = Date.now();
      const batch = Array.from({ length: 500 }, (_, i) => doorEvent(new Date(now - i * 600_000)));
      expect(await repo.insertMany(batch)).toBe(500);
      expect(await repo.insertMany(batch)).toBe(0);
      expect(await repo.insertMany([...batch.slice(0, 10), doorEvent(new Date())])).toBe(1);
      expect(await repo.count()).toBe(501);
    });

    it('when events span days, then they are stored in day partitions or chunks and listed by filter', async () => {
      const repo = new DoorEventsRepository(t.db);
      const old = new Date(Date.now() - 5 * 86_400_000);
      await repo.insertMany([doorEvent(old, { propertyId: 'p2', type: 'forced_open' })]);
      const list = await repo.list({ property: 'p2' });
      expect(list.total).toBe(1);
      expect(list.items[0].type).toBe('forced_open');
      expect(new Date(list.items[0].ts).getTime()).toBe(old.getTime());
      if (name !== 'timescaledb') {
        const parts = await t.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'door_events'::regclass`,
        );
        expect(parts.rows[0].n).toBeGreaterThanOrEqual(4);
        const inDefault = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM door_events_default');
        expect(inDefault.rows[0].n).toBe(0);
      } else {
        const chunks = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM show_chunks('door_events')`);
        expect(chunks.rows[0].n).toBeGreaterThanOrEqual(2);
      }
    });

    it('when rollups are refreshed, then hourly door counts appear', async () => {
      const m = new MaintenanceRepository(t.db);
      await m.refreshRollups();
      const r = await t.db.query<{ events: number }>(`SELECT sum(events)::int AS events FROM door_events_hourly`);
      expect(r.rows[0].events).toBe(502);
    });

    it('when retention passes, then old days are dropped and recent ones kept', async () => {
      const m = new MaintenanceRepository(t.db);
      await m.setRetention(3 * 86_400_000);
      await m.applyRetention(new Date());
      const repo = new DoorEventsRepository(t.db);
      expect((await repo.list({ property: 'p2' })).total).toBe(0);
      expect(await repo.count()).toBeGreaterThan(100);
    });

    it('when time_bucket is called, then it bins like TimescaleDB', async () => {
      const r = await t.db.query<{ b: Date }>(`SELECT time_bucket(interval '1 hour', timestamptz '2026-03-01 10:42:00+00') AS b`);
      expect(new Date(r.rows[0].b).toISOString()).toBe('2026-03-01T10:00:00.000Z');
    });
  });
}

describe('partitions on postgres under concurrency', () => {
  it('when several writers create the same days at once, then none fails and every row is stored', async () => {
    const t = await backends.postgres();
    try {
      const repos = Array.from({ length: 6 }, () => new DoorEventsRepository(t.db));
      const base = Date.now() + 20 * 86_400_000; // days nobody created yet
      const batches = repos.map((repo, w) =>
        repo.insertMany(Array.from({ length: 50 }, (_, i) => doorEvent(new Date(base + ((i * 7 + w) % 5) * 86_400_000)))),
      );
      const inserted = await Promise.all(batches);
      expect(inserted.reduce((a, b) => a + b, 0)).toBe(300);
      const inDefault = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM door_events_default');
      expect(inDefault.rows[0].n).toBe(0);
    } finally {
      await t.close();
    }
  });
});
