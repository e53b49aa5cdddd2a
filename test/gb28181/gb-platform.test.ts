// The GB/T 28181 SIP server in ingest against the simulated GB fleet over real UDP and TCP sockets, with the real
// PostgreSQL and an own Mosquitto: digest registration, paged catalogs into cameras on the grid, keepalive silence
// into failed heartbeats (offline after 3 intervals), channels OFF, alarms as camera events, unregister, a taken port.
import dgram from 'node:dgram';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { startMosquitto, type TestBroker } from '../ingest/helpers/mosquitto.ts';
import { importTestCity, testContext } from '../ingest/helpers/context.ts';
import { until } from '../ingest/helpers/wait.ts';
import { freeSipPort } from './sip-port.ts';
import { GbPlatform } from '../../ingest/gb28181/gb-platform.ts';
import { GbFleet } from '../../fixtures/gb28181/gb-fleet.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { GbDevicesRepository } from '../../core/db/repositories/gb-devices.repository.ts';
import type { ServiceContext } from '../../core/service.ts';

const PASSWORD = 'gb-test-password';
const KEEPALIVE_MS = 1000;

describe('GB/T 28181 SIP server', () => {
  let t: TestDb;
  let broker: TestBroker;
  let ctx: ServiceContext;
  let gb: GbPlatform;
  let fleet: GbFleet;
  let port: number;
  let listener: MqttClient;
  const health: { cameraId: string; reachable: boolean; errorClass?: string; error?: string }[] = [];
  const events: { cameraId: string; kind: string; topic?: string }[] = [];

  beforeAll(async () => {
    [t, broker] = await Promise.all([freshPgDb(), startMosquitto()]);
    await importTestCity(t.db, { cameras: 200, doors: 2 });
    port = await freeSipPort();
    ctx = await testContext(t.db, broker.url, {
      GB_SIP_PORT: String(port),
      GB_SIP_HOST: '127.0.0.1',
      GB_SIP_PASSWORD: PASSWORD,
      GB_KEEPALIVE_INTERVAL: '1s',
      GB_QUERY_TIMEOUT: '5s',
      OFFLINE_AFTER_FAILURES: '2',
      CREDENTIAL_KEY: 'gb-test-key',
      DATA_DIR: '/tmp',
    });
    listener = await mqtt.connectAsync(broker.url);
    await listener.subscribeAsync(['gridwatch/health/#', 'gridwatch/events/camera/#'], { qos: 1 });
    listener.on('message', (topic, buf) => {
      const p = JSON.parse(buf.toString());
      if (topic.includes('/health/')) health.push(p);
      else events.push(p);
    });
    gb = new GbPlatform(ctx);
    await gb.start();
    // 6 devices: IPCs and NVRs of 4 and 8 channels, on UDP and TCP, in Putian's districts.
    fleet = new GbFleet({
      count: 6,
      server: { host: '127.0.0.1', port, id: ctx.config.gbSipId, domain: ctx.config.gbSipDomain },
      password: PASSWORD,
      keepaliveMs: KEEPALIVE_MS,
      nvrShare: 0.34,
      tcpEvery: 2,
      spreadMs: 200,
      pageSize: 3,
      // Two of them send their names NUL-padded, as firmware copying C strings does.
      cStringsEvery: 3,
    });
    const r = await fleet.start();
    expect(r).toEqual({ registered: 6, refused: 0 });
  }, 60_000);

  afterAll(async () => {
    await fleet?.stop();
    await gb?.stop();
    await listener?.endAsync();
    await ctx?.bus.close();
    await broker?.close();
    await t?.close();
  });

  it('when devices register with digest auth over UDP and TCP, then each channel becomes a gb28181 camera of its device, placed on the grid', async () => {
    const repo = new CamerasRepository(t.db);
    const want = fleet.channelCount;
    const { items } = await until(
      () => repo.list({ protocol: 'gb28181', limit: 1000 }),
      (r) => r.total === want,
      30_000,
      'channels as cameras',
    );
    for (const d of fleet.devices) {
      for (const ch of d.channels) {
        const cam = items.find((c) => c.id === ch.id);
        expect(cam, ch.id).toMatchObject({ protocol: 'gb28181', parentId: d.id, name: ch.name });
        // Division 3503xx → district; grassroots unit 01/02 → a cell of that town (the test city has them).
        const place = {
          '350302': 'd-chengxiang',
          '350303': 'd-hanjiang',
          '350304': 'd-licheng',
          '350305': 'd-xiuyu',
          '350322': 'd-xianyou',
        }[ch.civilCode.slice(0, 6)];
        if (cam!.districtId) {
          expect(cam!.districtId).toBe(place);
          expect(cam!.cellId).toMatch(new RegExp(`^g-${place!.slice(2)}-${ch.civilCode.slice(6, 8)}-`));
        }
      }
    }
    expect(items.filter((c) => c.districtId).length).toBeGreaterThan(0);
    expect((await repo.list({ protocol: 'onvif' })).items.every((c) => c.protocol === 'onvif')).toBe(true);
    const devices = new GbDevicesRepository(t.db);
    const nvr = fleet.devices.find((d) => d.o.kind === 'nvr' && d.o.transport === 'tcp') ?? fleet.devices.find((d) => d.o.kind === 'nvr')!;
    expect(await devices.get(nvr.id)).toMatchObject({
      manufacturer: 'Gridwatch',
      model: 'SIM-NVR',
      channelCount: nvr.channels.length,
      online: true,
      keepaliveInterval: 1,
    });
  });

  it('when a device keeps alive, then its channels get passed heartbeats', async () => {
    const ch = fleet.devices[0].channels[0].id;
    await until(
      () => health.filter((h) => h.cameraId === ch && h.reachable).length,
      (n) => n >= 3,
      15_000,
      'passed heartbeats',
    );
  });

  it('when a device uses a wrong password, then its REGISTER is refused with 403', async () => {
    const d = fleet.devices[4];
    await fleet.fault(d.id, 'wrong_password');
    expect(d.lastStatus).toBe(403);
    expect(gb.stats().authRefused).toBeGreaterThanOrEqual(1);
  });

  it('when a device stops its keepalives, then its channels fail checks and it is offline after 3 intervals; resumed, they pass again', async () => {
    const d = fleet.devices[1];
    const ch = d.channels[0].id;
    await fleet.fault(d.id, 'stop_keepalive');
    const stoppedAt = Date.now();
    const failed = await until(
      () => health.filter((h) => h.cameraId === ch && !h.reachable),
      (l) => l.length >= 2,
      20_000,
      'failed heartbeats',
    );
    expect(failed[0]).toMatchObject({ errorClass: 'timeout' });
    expect(failed[0].error).toMatch(/no keepalive/);
    await until(
      () => new GbDevicesRepository(t.db).get(d.id),
      (r) => r?.online === false,
      20_000,
      'device offline',
    );
    // The second (offline-making) failure falls on the third missed interval, not before.
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(2 * KEEPALIVE_MS);
    const before = health.filter((h) => h.cameraId === ch && h.reachable).length;
    await fleet.fault(d.id, 'resume_keepalive');
    await until(
      () => health.filter((h) => h.cameraId === ch && h.reachable).length,
      (n) => n > before,
      10_000,
      'passed again',
    );
  });

  it('when a subscribed NVR reports a channel OFF, then that channel alone fails its checks', async () => {
    const nvr = fleet.devices.find((d) => d.channels.length > 1)!;
    const [off, on] = [nvr.channels[1].id, nvr.channels[0].id];
    await until(
      () => gb.liveness.devices.get(nvr.id)?.channels.size ?? 0,
      (n) => n === nvr.channels.length,
      10_000,
      'channels tracked',
    );
    await fleet.fault(nvr.id, 'channel_off', 1);
    await until(
      () => health.filter((h) => h.cameraId === off && !h.reachable && h.errorClass === 'refused').length,
      (n) => n >= 2,
      10_000,
      'OFF channel failing',
    );
    const onFails = health.filter((h) => h.cameraId === on && !h.reachable).length;
    expect(onFails).toBe(0);
  });

  it('when a device sends an alarm burst, then each motion alarm is a camera event on its channel', async () => {
    const d = fleet.devices[0];
    await fleet.fault(d.id, 'alarm_burst', 5);
    await until(
      () => events.filter((e) => e.cameraId === d.channels[0].id && e.kind === 'motion_start').length,
      (n) => n === 5,
      10_000,
      'motion events',
    );
    await d.alarm(d.channels[0].id, 2, 1, 'video loss');
    await until(
      () => events.filter((e) => e.cameraId === d.channels[0].id && e.kind === 'video_loss').length,
      (n) => n === 1,
      10_000,
      'video loss event',
    );
    // GB alarms have no end message: the next keepalive's DeviceStatus (channel ONDUTY) ends it.
    await until(
      () => events.filter((e) => e.cameraId === d.channels[0].id && e.kind === 'video_restored').length,
      (n) => n === 1,
      15_000,
      'video restored',
    );
  });

  it('when a device unregisters, then its channels fail at once', async () => {
    const d = fleet.devices[2];
    const ch = d.channels[0].id;
    const before = health.filter((h) => h.cameraId === ch && !h.reachable).length;
    await d.close(true);
    const l = await until(
      () => health.filter((h) => h.cameraId === ch && !h.reachable),
      (x) => x.length >= before + 2,
      10_000,
      'failures on unregister',
    );
    expect(l.at(-1)!.error).toMatch(/unregistered/);
  });

  it('when a message is not MANSCDP, then it is answered 400 and counted, and the server keeps running', async () => {
    const s = dgram.createSocket('udp4');
    const body = '<Nonsense/>';
    const msg = [
      `MESSAGE sip:${ctx.config.gbSipId}@${ctx.config.gbSipDomain} SIP/2.0`,
      'Via: SIP/2.0/UDP 127.0.0.1:1;branch=z9hG4bKbad1;rport',
      `From: <sip:${fleet.devices[0].id}@${ctx.config.gbSipDomain}>;tag=a`,
      `To: <sip:${ctx.config.gbSipId}@${ctx.config.gbSipDomain}>`,
      'Call-ID: bad-1',
      'CSeq: 1 MESSAGE',
      'Content-Type: Application/MANSCDP+xml',
      `Content-Length: ${body.length}`,
      '',
      body,
    ].join('\r\n');
    const answer = new Promise<string>((r) => s.once('message', (b) => r(b.toString())));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    s.send(msg, port, '127.0.0.1');
    expect(await answer).toMatch(/^SIP\/2.0 400 /);
    s.close();
    expect(gb.stats().badMessages).toBeGreaterThanOrEqual(1);
    expect(gb.listening).toBe(true);
  });

  it('when the SIP port is taken, then start logs why and ingest goes on without GB/T 28181', async () => {
    const other = new GbPlatform(ctx);
    await other.start();
    expect(other.listening).toBe(false);
    expect(other.error).toMatch(new RegExp(`GB/T 28181 SIP port ${port}/(udp|tcp) cannot be opened \\(EADDRINUSE\\)`));
    expect(other.stats()).toMatchObject({ listening: false, port });
    await other.stop();
  });
});
