// ONVIF cameras against the simulated ones over real HTTP/SOAP and UDP, with the real PostgreSQL and an own
// Mosquitto: identity by urn, inventory, credentials sealed, auth failure as a state, heartbeats with error
// classes, PullPoint events (also after the camera drops and comes back), snapshots on motion, ffmpeg stream checks.
import { mkdtempSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { freePort, startMosquitto, type TestBroker } from './helpers/mosquitto.ts';
import { importTestCity, testContext } from './helpers/context.ts';
import { until } from './helpers/wait.ts';
import { startSimulatedCameras, type SimulatedCameras } from '../../fixtures/index.ts';
import { CameraFleet } from '../../ingest/onvif/camera-fleet.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { CameraEventsRepository } from '../../core/db/repositories/camera-events.repository.ts';
import { CameraHealthRepository } from '../../core/db/repositories/camera-health.repository.ts';
import type { ServiceContext } from '../../core/service.ts';
import type { City } from '../../core/city/city.schema.ts';

const PASSWORD = 'gridwatch-sim';

describe('ONVIF cameras', () => {
  let t: TestDb;
  let broker: TestBroker;
  let sim: SimulatedCameras;
  let ctx: ServiceContext;
  let fleet: CameraFleet;
  let city: City;
  let listener: MqttClient;
  const onBus: { topic: string; payload: any }[] = [];
  const id = (i: number) => city.cameras[i].id;

  beforeAll(async () => {
    [t, broker] = await Promise.all([freshPgDb(), startMosquitto()]);
    city = await importTestCity(t.db, { cameras: 6, doors: 2 });
    const probePort = await freePort();
    sim = await startSimulatedCameras({
      cameras: city.cameras,
      streams: 2,
      // Camera 4 has another password than the one configured: the client only warns, ingest must notice.
      password: (cid) => (cid === city.cameras[4].id ? 'not-the-configured-one' : PASSWORD),
      discovery: { port: probePort, spreadMs: 50 },
    });
    await sim.setFault(id(5), 'auth');
    ctx = await testContext(t.db, broker.url, {
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gw-cams-')),
      CAMERA_USERNAME: 'admin',
      CAMERA_PASSWORD: PASSWORD,
      CREDENTIAL_KEY: 'test-credential-key',
      // Also ffmpeg's grace (twice this) in the stream checks: ffmpeg must start and probe within it on a loaded machine.
      HEALTH_TIMEOUT: '3s',
      HEALTH_INTERVAL: '1h',
      STREAM_CHECK_INTERVAL: '1h',
      DISCOVERY_INTERVAL: '1h',
      DISCOVERY_TIMEOUT: '500ms',
      STREAM_SAMPLE: '2s',
      FFMPEG_PATH: '/usr/bin/ffmpeg',
    });
    listener = await mqtt.connectAsync(broker.url);
    await listener.subscribeAsync(['gridwatch/health/#', 'gridwatch/events/camera/#', 'gridwatch/faces/capture/#'], { qos: 1 });
    listener.on('message', (topic, buf) => onBus.push({ topic, payload: JSON.parse(buf.toString()) }));
    fleet = new CameraFleet(ctx, { discovery: false, addresses: sim.cameras.map((c) => c.xaddr), probePort });
    await fleet.start();
    await fleet.firstDiscovery;
    await until(
      () => fleet.stats().byState as Record<string, number>,
      (s) => (s.ok ?? 0) === 4 && (s.auth_failed ?? 0) === 2,
      20_000,
      'cameras prepared',
    );
  });

  afterAll(async () => {
    await fleet?.stop();
    await listener?.endAsync();
    await ctx?.bus.close();
    await sim?.stop();
    await broker?.close();
    await t?.close();
  });

  it('when cameras are added by address, then each is matched to its registry row by urn and inventoried with its URIs', async () => {
    const repo = new CamerasRepository(t.db);
    const all = await repo.all();
    expect(all).toHaveLength(6);
    for (const [i, c] of sim.cameras.entries()) {
      const row = all.find((r) => r.urn === c.urn)!;
      expect(row.id).toBe(c.id);
      expect(row.xaddr).toBe(c.xaddr);
      if (i >= 4) continue;
      expect(row).toMatchObject({ authState: 'ok', snapshotUri: c.snapshotUri });
      expect(row.manufacturer).toBeTruthy();
      expect(row.model).toBeTruthy();
      expect(row.firmware).toBeTruthy();
      expect(row.serial).toBeTruthy();
      expect(row.profiles).toHaveLength(2);
      expect(row.profiles[0]).toMatchObject({ encoding: 'H264', width: 1920, height: 1080 });
      if (c.streamUri) expect(row.streamUri).toBe(c.streamUri);
    }
  });

  it('when the camera refuses the credentials (wrong password, or refusing everything), then it is auth_failed, not a crash', async () => {
    const repo = new CamerasRepository(t.db);
    expect((await repo.get(id(4)))!.authState).toBe('auth_failed');
    expect((await repo.get(id(5)))!.authState).toBe('auth_failed');
    expect((await repo.get(id(4)))!.profiles).toEqual([]);
  });

  it('when credentials are stored, then they are encrypted at rest', async () => {
    const r = await t.db.query<{ credentials_enc: string | null }>('SELECT credentials_enc FROM cameras WHERE id = $1', [id(0)]);
    const sealed = r.rows[0].credentials_enc!;
    expect(sealed).toMatch(/^v1\./);
    expect(sealed).not.toContain(PASSWORD);
  });

  it('when heartbeats run, then every camera gets a sample; offline is refused, hang is a timeout, auth is auth', async () => {
    await sim.setFault(id(2), 'offline');
    await sim.setFault(id(3), 'hang');
    const samples = await fleet.checkAll();
    const of = (i: number) => samples.find((s) => s.cameraId === id(i))!;
    expect(samples).toHaveLength(6);
    expect(of(0)).toMatchObject({ kind: 'heartbeat', reachable: true });
    expect(of(0).latencyMs).toBeGreaterThanOrEqual(0);
    expect(of(2)).toMatchObject({ reachable: false, errorClass: 'refused' });
    expect(of(3)).toMatchObject({ reachable: false, errorClass: 'timeout' });
    expect(of(5)).toMatchObject({ errorClass: 'auth' });
    const stored = await until(
      () => new CameraHealthRepository(t.db).list({ camera: id(3) }),
      (l) => l.total >= 1,
      10_000,
      'stored sample',
    );
    expect(stored.items[0]).toMatchObject({ reachable: false, errorClass: 'timeout' });
    await until(
      () => onBus.filter((m) => m.topic === `gridwatch/health/${id(2)}` && m.payload.errorClass === 'refused').length,
      (n) => n > 0,
      10_000,
      'published sample',
    );
    await sim.setFault(id(2), 'ok');
    await sim.setFault(id(3), 'ok');
  });

  it('when a camera signals motion, tamper and signal loss, then normalised events are stored and published, motion with a snapshot', async () => {
    sim.emitEvent(id(0), 'motion', true);
    sim.emitEvent(id(0), 'tamper', true);
    sim.emitEvent(id(0), 'signal_loss', true);
    sim.emitEvent(id(0), 'motion', false);
    const events = new CameraEventsRepository(t.db);
    const list = await until(
      () => events.list({ camera: id(0) }),
      (l) => l.total >= 4,
      15_000,
      'camera events',
    );
    expect(list.items.map((e) => e.kind).sort()).toEqual(['motion_start', 'motion_stop', 'tamper', 'video_loss']);
    const motion = list.items.find((e) => e.kind === 'motion_start')!;
    expect(motion.topic).toBe('tns1:RuleEngine/CellMotionDetector/Motion');
    expect(motion.snapshotPath).toBeTruthy();
    const jpeg = await readFile(motion.snapshotPath!);
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    await until(
      () => onBus.filter((m) => m.topic === `gridwatch/events/camera/${id(0)}`).length,
      (n) => n >= 4,
      10_000,
      'published events',
    );
    const capture = onBus.find((m) => m.topic === 'gridwatch/faces/capture/camera' && m.payload.cameraId === id(0));
    expect(capture?.payload).toMatchObject({ source: 'camera', imagePath: motion.snapshotPath });
  });

  it('when a camera drops while its PullPoint request is held, then an unreachable sample comes at once, not at the next round', async () => {
    // HEALTH_INTERVAL is 1 h here: only the broken event connection can explain a sample within seconds.
    const health = new CameraHealthRepository(t.db);
    const from = new Date().toISOString();
    await sim.setFault(id(0), 'offline');
    const l = await until(
      () => health.list({ camera: id(0), kind: 'heartbeat', from, limit: 10 }),
      (x) => x.total >= 1,
      10_000,
      'early heartbeat',
    );
    expect(l.items[0]).toMatchObject({ reachable: false, errorClass: 'refused' });
    await sim.setFault(id(0), 'ok');
    await fleet.checkAll();
    await until(
      () => fleet.cameras.get(id(0))!.state,
      (s) => s === 'ok',
      15_000,
      'camera back',
    );
  });

  it('when a camera drops and comes back, then its event subscription is re-created and events flow again', async () => {
    const w = fleet.cameras.get(id(1))!;
    const before = w.subscriptions;
    await sim.setFault(id(1), 'offline');
    expect((await fleet.checkAll()).find((s) => s.cameraId === id(1))).toMatchObject({ reachable: false });
    await sim.setFault(id(1), 'ok');
    await fleet.checkAll();
    await until(
      () => w.subscriptions,
      (n) => n > before,
      15_000,
      'new subscription',
    );
    sim.emitEvent(id(1), 'tamper', true);
    await until(
      () => new CameraEventsRepository(t.db).list({ camera: id(1), kind: 'tamper' }),
      (l) => l.total === 1,
      15_000,
      'event after reconnect',
    );
  });

  it('when streams are checked, then a live stream has frames, a black one is black and a frozen one frozen', async () => {
    // Back to a live picture (the signal loss raised above shows a still "no signal" card).
    await sim.setFault(id(0), 'ok');
    await sim.setFault(id(1), 'black');
    let samples = await fleet.checkStreams();
    const live = samples.find((s) => s.cameraId === id(0))!;
    expect(live).toMatchObject({ kind: 'stream', reachable: true });
    expect(live.errorClass).toBeUndefined();
    expect(live.stream).toMatchObject({ opened: true, codec: 'mjpeg', width: 640, height: 360, black: false, frozen: false });
    expect(live.stream!.frames).toBeGreaterThan(0);
    expect(samples.find((s) => s.cameraId === id(1))).toMatchObject({ errorClass: 'black' });
    await sim.setFault(id(1), 'frozen');
    samples = await fleet.checkStreams();
    expect(samples.find((s) => s.cameraId === id(1))).toMatchObject({ reachable: true, errorClass: 'frozen' });
    await sim.setFault(id(1), 'ok');
  });

  it('when a camera is seen at a new address, then it keeps its id and the move is in its history', async () => {
    const repo = new CamerasRepository(t.db);
    const c = sim.cameras[0];
    const moved = await repo.recordSeen(c.urn, 'http://10.9.9.9:80/onvif/device_service', 'unused', new Date());
    expect(moved).toEqual({ id: c.id, created: false, moved: true });
    const h = await repo.history(c.id);
    expect(h.items[0]).toMatchObject({ field: 'xaddr', oldValue: c.xaddr, newValue: 'http://10.9.9.9:80/onvif/device_service' });
    const fresh = await repo.recordSeen(
      'urn:uuid:00000000-0000-4000-8000-000000000001',
      'http://10.9.9.8/onvif/device_service',
      'cam-new-1',
      new Date(),
    );
    expect(fresh).toEqual({ id: 'cam-new-1', created: true, moved: false });
    await repo.recordSeen(c.urn, c.xaddr, 'unused', new Date());
  });
});
