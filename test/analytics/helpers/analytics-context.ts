// A ServiceContext for analytics tests: fresh PostgreSQL database, real Mosquitto, a manual clock, and a tiny city.
import { randomBytes, randomUUID } from 'node:crypto';
import { loadConfig } from '../../../core/config/index.ts';
import { connectBus as openBus } from '../../../core/bus/connect.ts';
import type { MessageBus } from '../../../core/bus/message-bus.ts';
import { ManualClock } from '../../../core/clock.ts';
import { createLogger } from '../../../core/log.ts';
import { HealthRegistry, type ServiceContext } from '../../../core/service.ts';
import { CityRepository } from '../../../core/db/repositories/city.repository.ts';
import type { City } from '../../../core/city/city.schema.ts';
import type { CameraHealthSample } from '../../../core/events/index.ts';
import { freshPgDb, type TestDb } from '../../helpers/db.ts';

export const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** Short durations so deadlines and escalation run within a test (the clock is manual anyway). */
export const TEST_ENV = {
  OFFLINE_AFTER_FAILURES: '2',
  REPAIR_SLA_KEY: '10s',
  REPAIR_SLA_NORMAL: '30s',
  REPAIR_SLA_REMOTE: '60s',
  REPAIR_STABLE_FOR: '10s',
  ESCALATION_LEVEL2_FACTOR: '2',
  FLAP_THRESHOLD: '4',
  FLAP_WINDOW: '5m',
  ANALYTICS_TICK: '1h',
  COVERAGE_INTERVAL: '1h',
  WRITE_BATCH_DELAY: '10ms',
  LOG_LEVEL: 'silent',
};

export interface TestContext extends ServiceContext {
  clock: ManualClock;
  testDb: TestDb;
  close(): Promise<void>;
}

/** TEST_MQTT_URL=nats://… runs these tests on the JetStream bus (delete its stream GRIDWATCH afterwards). */
export async function connectBus(): Promise<MessageBus> {
  return openBus({ url: MQTT_URL, clientId: `gw-test-${randomBytes(4).toString('hex')}`, clean: true, protocolVersion: 5 });
}

export async function testContext(env: Record<string, string> = {}, testDb?: TestDb): Promise<TestContext> {
  const config = loadConfig({ ...TEST_ENV, DATA_DIR: `/tmp/gw-analytics-${randomBytes(4).toString('hex')}`, ...env });
  const tdb = testDb ?? (await freshPgDb());
  const bus = await connectBus();
  const clock = new ManualClock(Date.parse('2026-03-01T08:00:00Z'));
  return {
    config,
    db: tdb.db,
    bus,
    broker: { kind: 'mosquitto', url: MQTT_URL },
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test'),
    clock,
    health: new HealthRegistry(),
    testDb: tdb,
    close: async () => {
      await bus.close().catch(() => {});
      if (!testDb) await tdb.close();
    },
  };
}

/** A 100 m × 100 m square cell whose south-west corner is at (lon, lat). */
export function square(lon: number, lat: number, size = 0.001) {
  return {
    type: 'Polygon' as const,
    coordinates: [
      [
        [lon, lat],
        [lon + size, lat],
        [lon + size, lat + size],
        [lon, lat + size],
        [lon, lat],
      ],
    ] as [number, number][][],
  };
}

/**
 * District D1 › town T1 › community C1 › cells CELL1 (two cameras looking into it from opposite corners, a door in
 * the middle) and CELL2 (one camera); two maintenance units in D1. Camera ids get `prefix` so tests stay apart.
 */
export function tinyCity(prefix: string, extraCameras = 0): City {
  const lon = 119.0;
  const lat = 25.43;
  const cam = (id: string, x: number, y: number, heading: number, cellId: string, priority: 'key' | 'normal' | 'remote' = 'normal') => ({
    id: `${prefix}${id}`,
    urn: `urn:uuid:${randomUUID()}`,
    name: `${prefix}${id}`,
    cellId,
    districtId: 'D1',
    lon: x,
    lat: y,
    heading,
    fov: 90,
    rangeM: 160,
    priority,
  });
  return {
    seed: 1,
    name: 'test',
    gridUnits: [
      { id: 'CITY', level: 'city', name: 'City' },
      { id: 'D1', level: 'district', parentId: 'CITY', name: 'District 1' },
      { id: 'T1', level: 'town', parentId: 'D1', name: 'Town 1' },
      { id: 'C1', level: 'community', parentId: 'T1', name: 'Community 1' },
      { id: 'CELL1', level: 'cell', parentId: 'C1', name: 'Cell 1', geom: square(lon, lat) },
      { id: 'CELL2', level: 'cell', parentId: 'C1', name: 'Cell 2', geom: square(lon + 0.001, lat) },
    ],
    maintenanceUnits: [
      { id: 'MU1', name: 'Unit 1', districtId: 'D1' },
      { id: 'MU2', name: 'Unit 2', districtId: 'D1' },
    ],
    properties: [{ id: 'P1', name: 'Compound 1', cellId: 'CELL1', districtId: 'D1' }],
    doors: [{ id: 'DOOR1', propertyId: 'P1', name: 'Main gate', lon: lon + 0.0005, lat: lat + 0.0005 }],
    cameras: [
      cam('A', lon, lat, 45, 'CELL1'),
      cam('B', lon + 0.001, lat + 0.001, 225, 'CELL1', 'key'),
      cam('C', lon + 0.001, lat, 45, 'CELL2', 'remote'),
      ...Array.from({ length: extraCameras }, (_, i) => cam(`X${i}`, lon + 0.0015, lat + 0.0005, (i * 10) % 360, 'CELL2')),
    ],
  };
}

export async function importCity(ctx: ServiceContext, city: City): Promise<void> {
  await new CityRepository(ctx.db).importCity(city);
}

export function sample(cameraId: string, ts: Date, reachable: boolean, extra: Partial<CameraHealthSample> = {}): CameraHealthSample {
  return {
    sampleId: randomUUID(),
    cameraId,
    ts: ts.toISOString(),
    kind: 'heartbeat',
    reachable,
    ...(reachable ? { latencyMs: 12 } : { errorClass: 'timeout' as const, error: 'no answer' }),
    ...extra,
  };
}

/** Polls until `fn` returns a truthy value (messages travel through the real broker). */
export async function eventually<T>(fn: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until) throw new Error(`condition not met in ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
