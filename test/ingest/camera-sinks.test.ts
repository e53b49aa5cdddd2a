// Camera observations against the real PostgreSQL and Mosquitto: one the database refuses (a device's garbage that got
// this far) is logged and dropped, and the others of its batch are stored and published.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { importTestCity, testContext } from './helpers/context.ts';
import { CameraSinks } from '../../ingest/onvif/camera-sinks.ts';
import { CameraEventsRepository } from '../../core/db/repositories/camera-events.repository.ts';
import type { ServiceContext } from '../../core/service.ts';
import type { CameraEvent } from '../../core/events/index.ts';

const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
let t: TestDb;
let ctx: ServiceContext;
let sinks: CameraSinks;
let cameraId: string;

beforeAll(async () => {
  t = await freshPgDb();
  cameraId = (await importTestCity(t.db, { cameras: 2, doors: 0 })).cameras[0].id;
  ctx = await testContext(t.db, MQTT_URL);
  sinks = new CameraSinks(ctx);
});
afterAll(async () => {
  await sinks?.close();
  await ctx?.bus.close();
  await t?.close();
});

it('when the database refuses one camera event of a batch, then it is counted and dropped and the others are stored', async () => {
  const ts = new Date().toISOString();
  const events: CameraEvent[] = Array.from({ length: 12 }, (_, i) => ({
    eventId: randomUUID(),
    cameraId,
    ts,
    kind: 'motion_start',
    topic: i === 5 ? 'tns1:VideoSource/\u0000MotionAlarm' : 'tns1:VideoSource/MotionAlarm',
  }));
  // Together, so they share a batch; each resolves once stored and published (or dropped).
  await Promise.all(events.map((e) => sinks.event(e)));
  const stored = (await new CameraEventsRepository(t.db).list({ camera: cameraId, limit: 100 })).items.map((e) => e.eventId);
  expect(stored.sort()).toEqual(
    events
      .filter((_, i) => i !== 5)
      .map((e) => e.eventId)
      .sort(),
  );
  expect(sinks.counts).toMatchObject({ events: 11, refused: 1 });
});
