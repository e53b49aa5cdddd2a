// Cameras shared between ingest instances, each in its own process, on a fresh PostgreSQL database and an own
// Mosquitto, watching simulated cameras over real SOAP: every camera watched by exactly one live instance; a
// SIGKILLed instance's cameras (and its WS-Discovery probing) taken over within the stated time; a joining
// instance takes its share with no camera watched twice; only the network's prober sends probes.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { startMosquitto, type TestBroker } from './helpers/mosquitto.ts';
import { importTestCity } from './helpers/context.ts';
import { until } from './helpers/wait.ts';
import { allWatchedOnce, doubleWatches, IngestInstance } from './helpers/ingest-fleet.ts';
import { startSimulatedCameras, type SimulatedCameras } from '../../fixtures/index.ts';
import { LeasesRepository } from '../../core/db/repositories/leases.repository.ts';
import { CameraHealthRepository } from '../../core/db/repositories/camera-health.repository.ts';
import type { City } from '../../core/city/city.schema.ts';

const CAMERAS = 24;
const CAMERA_PORT = 27100;
const PROBE_PORT = 27099;
// The stated takeover bound: lease TTL + one renewal + one heartbeat timeout (2 + 0.5 + 1 s), under one
// HEALTH_INTERVAL (4 s). The assertion allows the interval plus 3 s for the shared, loaded 2-core machine.
const TTL_MS = 2000;
const RENEW_MS = 500;
const HEALTH_TIMEOUT_MS = 1000;
const HEALTH_INTERVAL_MS = 4000;
const TAKEOVER_LIMIT_MS = HEALTH_INTERVAL_MS + 3000;

describe('cameras shared between ingest instances', () => {
  let t: TestDb;
  let broker: TestBroker;
  let sim: SimulatedCameras;
  let city: City;
  let env: Record<string, string>;
  const instances: IngestInstance[] = [];
  const live = () => instances.filter((i) => i.killedAt === undefined);
  const start = (name: string) => {
    const i = IngestInstance.start(name, { ...env, DATA_DIR: mkdtempSync(path.join(tmpdir(), `gw-${name}-`)) });
    instances.push(i);
    return i;
  };

  beforeAll(async () => {
    [t, broker] = await Promise.all([freshPgDb(), startMosquitto()]);
    city = await importTestCity(t.db, { cameras: CAMERAS, doors: 0, seed: 16 });
    sim = await startSimulatedCameras({
      cameras: city.cameras,
      streams: 0,
      faces: false,
      password: 'failover-pw',
      basePort: CAMERA_PORT,
      discovery: { port: PROBE_PORT, spreadMs: 50 },
    });
    env = {
      DATABASE_URL: t.url!,
      MQTT_URL: broker.url,
      CAMERA_SHARING: 'on',
      CAMERA_PASSWORD: 'failover-pw',
      CREDENTIAL_KEY: 'failover-test-key',
      CAMERA_ADDRESSES: `127.0.0.1:${CAMERA_PORT}-${CAMERA_PORT + CAMERAS - 1}`,
      TEST_PROBE_PORT: String(PROBE_PORT),
      CAMERA_LEASE_TTL: `${TTL_MS}ms`,
      CAMERA_LEASE_RENEW: `${RENEW_MS}ms`,
      HEALTH_INTERVAL: `${HEALTH_INTERVAL_MS}ms`,
      HEALTH_TIMEOUT: `${HEALTH_TIMEOUT_MS}ms`,
      DISCOVERY_INTERVAL: '2s',
      DISCOVERY_TIMEOUT: '500ms',
      STREAM_CHECK_INTERVAL: '1h',
    };
  }, 120_000);

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop().catch(() => undefined)));
    await sim?.stop();
    await broker?.close();
    await t?.close();
  });

  it('when three instances start, then every camera is watched by exactly one of them and each has a share', async () => {
    for (const n of ['gw-failover-a', 'gw-failover-b', 'gw-failover-c']) start(n);
    const now = await allWatchedOnce(live, CAMERAS, 'all cameras watched once by three instances');
    for (const i of instances) expect([...now.values()].flat()).toContain(i.name);
    // The database agrees with what the processes say they watch.
    const rows = await new LeasesRepository(t.db).watchers();
    for (const [camera, [holder]] of now) expect(rows.get(camera)).toEqual({ instance: holder, live: true });
    expect(doubleWatches(instances)).toEqual([]);
  }, 120_000);

  it('when the probing instance is killed with SIGKILL, then its cameras are heart-beaten by the others within the stated time and its probing moves', async () => {
    const leases = new LeasesRepository(t.db);
    const prober = await until(() => leases.proberOf('default'), Boolean, 20_000, 'a prober');
    const victim = instances.find((i) => i.name === prober)!;
    const orphaned = [...victim.watching()];
    expect(orphaned.length).toBeGreaterThan(0);
    const killedAt = await victim.kill();
    await allWatchedOnce(live, CAMERAS, 'cameras of the killed instance watched again');
    const health = new CameraHealthRepository(t.db);
    // Watched again = a heartbeat of the camera by a survivor (samples from the dead one cannot be later than its death).
    const takeover: number[] = [];
    for (const camera of orphaned) {
      const first = await until(
        async () => (await health.list({ camera, kind: 'heartbeat', from: new Date(killedAt).toISOString(), limit: 1000 })).items.at(-1),
        Boolean,
        30_000,
        `a heartbeat of ${camera} after the kill`,
      );
      takeover.push(Date.parse(first!.ts) - killedAt);
    }
    expect(Math.max(...takeover)).toBeLessThan(TAKEOVER_LIMIT_MS);
    expect(doubleWatches(instances)).toEqual([]);
    const next = await until(
      () => leases.proberOf('default'),
      (p) => !!p && p !== prober,
      20_000,
      'another prober',
    );
    expect(live().map((i) => i.name)).toContain(next);
  }, 120_000);

  it('when a fourth instance joins, then it takes its share with no camera watched twice and none left unwatched', async () => {
    const d = start('gw-failover-d');
    await until(
      () => d.watching().size,
      (n) => n > 0,
      60_000,
      'the joining instance watches cameras',
    );
    const now = await allWatchedOnce(live, CAMERAS, 'every camera watched once after the join');
    expect([...now.values()].flat()).toContain(d.name);
    expect(doubleWatches(instances)).toEqual([]);
  }, 120_000);

  it('when discovery passes run on every instance, then only the prober of the network probes', async () => {
    const probes0 = sim.probes;
    const passes = () => instances.reduce((n, i) => n + i.times('discovery pass probes').length, 0);
    const passes0 = passes();
    // Wait for two more discovery passes that probe (DISCOVERY_INTERVAL 2 s), then compare with what the cameras got.
    await until(passes, (n) => n >= passes0 + 2, 30_000, 'two probing passes');
    const received = sim.probes - probes0;
    expect(received).toBeGreaterThan(0);
    // Each probing pass sends one directed probe (all cameras are on one host); three instances probing would triple it.
    expect(received).toBeLessThanOrEqual(passes() - passes0 + 1);
    // Every probing pass was logged by the instance that held the probing of the network at that moment.
    for (const i of instances) {
      const since = i.times('discovery prober of the network', (l) => l.prober === true);
      const until_ = i.times('no longer the discovery prober');
      for (const at of i.times('discovery pass probes')) {
        const began = since.filter((s) => s <= at).at(-1);
        expect(began, `${i.name} probed at ${at} without being the prober`).toBeDefined();
        expect(until_.some((u) => u > began! && u < at)).toBe(false);
      }
    }
  }, 60_000);
});
