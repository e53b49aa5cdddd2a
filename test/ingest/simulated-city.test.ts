// Ingest against the simulated city: WS-Discovery over real UDP multicast finds the simulated cameras (other
// simulators on this machine may answer too, so the check is "all of ours"), inventory with stream URIs, offline
// and hung cameras unreachable within one heartbeat round, and the simulated door controllers' events stored.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { startMosquitto, type TestBroker } from './helpers/mosquitto.ts';
import { importTestCity, testContext } from './helpers/context.ts';
import { until } from './helpers/wait.ts';
import { startDoorControllers, startSimulatedCameras, type DoorControllers, type SimulatedCameras } from '../../fixtures/index.ts';
import { IngestService } from '../../ingest/ingest.service.ts';
import { probe } from '../../ingest/onvif/discovery.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { CameraHealthRepository } from '../../core/db/repositories/camera-health.repository.ts';
import { DeadLettersRepository, DoorEventsRepository } from '../../core/db/index.ts';
import type { ServiceContext } from '../../core/service.ts';
import type { City } from '../../core/city/city.schema.ts';

describe('ingest against the simulated city', () => {
  let t: TestDb;
  let broker: TestBroker;
  let sim: SimulatedCameras;
  let doors: DoorControllers;
  let ctx: ServiceContext;
  let ingest: IngestService;
  let city: City;

  beforeAll(async () => {
    [t, broker] = await Promise.all([freshPgDb(), startMosquitto()]);
    city = await importTestCity(t.db, { cameras: 8, doors: 6, seed: 11 });
    sim = await startSimulatedCameras({ cameras: city.cameras, streams: 0, password: 'city-pw', discovery: { spreadMs: 200 } });
    doors = await startDoorControllers({ url: broker.url, city, traffic: false });
    ctx = await testContext(t.db, broker.url, {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gw-city-')),
      CAMERA_PASSWORD: 'city-pw',
      HEALTH_INTERVAL: '2s',
      HEALTH_TIMEOUT: '1s',
      DISCOVERY_TIMEOUT: '1500ms',
      DISCOVERY_INTERVAL: '1h',
      STREAM_CHECK_INTERVAL: '1h',
    });
    ingest = new IngestService(ctx);
    await ingest.start();
    await ingest.cameras.firstDiscovery;
  });

  afterAll(async () => {
    await ingest?.stop();
    await doors?.stop();
    await ctx?.bus.close();
    await sim?.stop();
    await broker?.close();
    await t?.close();
  });

  it('when a probe is sent, then every simulated camera answers, and an offline one does not', async () => {
    await sim.setFault(city.cameras[7].id, 'offline');
    const found = new Set((await probe({ timeoutMs: 1500 })).map((d) => d.urn));
    for (const c of sim.cameras.slice(0, 7)) expect(found.has(c.urn)).toBe(true);
    expect(found.has(sim.cameras[7].urn)).toBe(false);
    await sim.setFault(city.cameras[7].id, 'ok');
  });

  it('when ingest starts, then every simulated camera is discovered into its registry row and inventoried with its stream URI', async () => {
    const repo = new CamerasRepository(t.db);
    const rows = await until(
      () => repo.all(),
      (all) => sim.cameras.every((c) => all.some((r) => r.urn === c.urn && r.streamUri && r.authState === 'ok')),
      30_000,
      'inventory of every simulated camera',
    );
    for (const c of sim.cameras) {
      const row = rows.find((r) => r.urn === c.urn)!;
      expect(row).toMatchObject({ id: c.id, xaddr: c.xaddr, snapshotUri: c.snapshotUri });
      expect(row.streamUri).toBe(`${new URL(c.xaddr).origin}/stream.mjpg`);
    }
    const w = ingest.cameras.cameras.get(city.cameras[0].id)!;
    await until(
      () => w.subscriptions,
      (n) => n > 0,
      10_000,
      'event subscription',
    );
  });

  it('when a camera goes offline or hangs, then it has unreachable samples within one heartbeat round', async () => {
    const [off, hung] = [city.cameras[1].id, city.cameras[2].id];
    const health = new CameraHealthRepository(t.db);
    const since = new Date().toISOString();
    const round = ingest.cameras.rounds;
    await sim.setFault(off, 'offline');
    await sim.setFault(hung, 'hang');
    const seen = async (id: string) => (await health.list({ camera: id, kind: 'heartbeat', failed: true, from: since })).items;
    const [a, b] = await until(
      async () => [await seen(off), await seen(hung)],
      ([x, y]) => x.length > 0 && y.length > 0,
      20_000,
      'unreachable samples',
    );
    // The round running when the fault came may have checked the camera before it; the next one must catch it.
    expect(ingest.cameras.rounds).toBeLessThanOrEqual(round + 2);
    expect(a.at(-1)).toMatchObject({ reachable: false, errorClass: 'refused' });
    expect(b.at(-1)).toMatchObject({ reachable: false, errorClass: 'timeout' });
    await sim.setFault(off, 'ok');
    await sim.setFault(hung, 'ok');
  });

  it('when the simulated door controllers publish, then the events land in the database and malformed ones in dead letters', async () => {
    const d = city.doors[0];
    const sent = [];
    for (const type of ['granted', 'denied', 'forced_open', 'door_closed'] as const) sent.push(await doors.publish(d.id, { type }));
    await doors.publishMalformed(d.id);
    const list = await until(
      () => new DoorEventsRepository(t.db).list({ door: d.id }),
      (l) => l.total === sent.length,
      15_000,
      'door events',
    );
    expect(new Set(list.items.map((e) => e.eventId))).toEqual(new Set(sent.map((e) => e.eventId)));
    const letters = await until(
      () => new DeadLettersRepository(t.db).list({ source: 'door' }),
      (l) => l.total === 1,
      15_000,
      'dead letter',
    );
    expect(letters.items[0].reason).toMatch(/^schema: /);
    expect(ctx.health.snapshot().ingest).toMatchObject({ degraded: false });
  });
});
