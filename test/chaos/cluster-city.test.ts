// The whole city on a 3-node NATS JetStream cluster of the test's own (issue 16, item 4): 2 ingest instances sharing
// simulated ONVIF cameras through database leases and the door intake's durable consumer, 2 analytics workers
// (analytics/main.ts), 2 gateways (gateway/main.ts) fanning the live push out through a Redis of their own, and door
// controllers publishing QoS 1 over a node's MQTT listener. Mid-stream the node leading both `$MQTT_msgs` and the
// product's stream, the ingest watching a camera that is then faulted offline, and one analytics worker are SIGKILLed
// and started again.
// Then: every acknowledged door event stored exactly once; no camera without a heartbeat longer than the stated
// bound and none watched twice; the outage opened one outage row, one ticket and one alert, and that alert reached
// a live client on each gateway. A second test holds the bus's publish to its word across the election that follows
// the death of a stream's leader (every publish resolves, none is lost).
// `CITY_KEEP_LOGS=dir` keeps the processes' output.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsCluster } from './nats-cluster.ts';
import { portIn } from './harness.ts';
import { PORT_RANGES, rangeOf } from '../helpers/port-ranges.ts';
import {
  doorEventsStored,
  heartbeatGaps,
  leaderOfBoth,
  liveClient,
  outageOf,
  publishDoors,
  ServiceProcess,
  startRedis,
  type LiveSocket,
} from './city-cluster-parts.ts';
import { JetStreamBus, MQTT_STREAM } from '../../core/bus/jetstream-bus.ts';
import { filterFor } from '../../core/bus/topics.ts';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { importTestCity } from '../ingest/helpers/context.ts';
import { until } from '../ingest/helpers/wait.ts';
import { allWatchedOnce, doubleWatches, IngestInstance } from '../ingest/helpers/ingest-fleet.ts';
import { startSimulatedCameras, type SimulatedCameras } from '../../fixtures/index.ts';
import type { City } from '../../core/city/city.schema.ts';

// This file's own port ranges (test/helpers/port-ranges.ts): the NATS nodes pick theirs before they bind them, so
// Redis and the services take theirs from another range; the cameras' HTTP ports run from CAMERA_PORT on.
const NATS_PORTS = rangeOf('clusterCityNats');
const PORTS = rangeOf('clusterCity');
const PROBE_PORT = PORT_RANGES.clusterCityCameras[0];
const CAMERA_PORT = PROBE_PORT + 1;
const CAMERAS = 16;
// Cameras shared as in camera-failover.test.ts: an instance's cameras are taken over within lease TTL + one renewal +
// one heartbeat timeout (3.5 s); that test allows HEALTH_INTERVAL + 3 s for the loaded machine.
const TTL_MS = 2000;
const RENEW_MS = 500;
const HEALTH_TIMEOUT_MS = 1000;
const HEALTH_INTERVAL_MS = 4000;
/**
 * The stated bound on a camera's heartbeat gap: the last heartbeat by an instance that dies may be one interval before
 * its death, the next comes within the takeover allowance (HEALTH_INTERVAL + 3 s) after it.
 */
const GAP_BOUND_MS = 2 * HEALTH_INTERVAL_MS + 3000;
/** Every acknowledged door event stored this long after the last restart (the MQTT crash suite's bound). */
const DOOR_BOUND_MS = 60_000;
const PASSWORD = 'city-cluster-pw-1';
/** The bus's own stream (core/bus/jetstream-bus.ts's default name). */
const PRODUCT_STREAM = 'GRIDWATCH';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the city on a NATS JetStream cluster (short)', () => {
  let cluster: NatsCluster;
  let t: TestDb;
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let sim: SimulatedCameras;
  let city: City;
  let dataDir: string;
  let pool: pg.Pool;
  let ingestEnv: Record<string, string>;
  const ingests: IngestInstance[] = [];
  const analytics: ServiceProcess[] = [];
  const gateways: ServiceProcess[] = [];
  const gatewayPorts: number[] = [];
  const sockets: LiveSocket[] = [];
  const children = new Set<ChildProcess>();

  const live = () => ingests.filter((i) => i.killedAt === undefined);
  const startIngest = async (name: string) => {
    const i = IngestInstance.start(name, { ...ingestEnv, DATA_DIR: path.join(dataDir, name) });
    ingests.push(i);
    await i.proc.waitFor(/ingest running/, 120_000);
    return i;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gw-city-cluster-'));
    [cluster, t, redis] = await Promise.all([
      NatsCluster.start({ size: 3, ports: NATS_PORTS }),
      freshPgDb({ poolSize: 2 }),
      portIn(PORTS).then(startRedis),
    ]);
    city = await importTestCity(t.db, { cameras: CAMERAS, doors: 60, seed: 16 });
    await t.db.close();
    pool = new pg.Pool({ connectionString: t.url, max: 2 });
    sim = await startSimulatedCameras({
      cameras: city.cameras,
      streams: 0,
      faces: false,
      password: 'city-cam-pw',
      basePort: CAMERA_PORT,
      discovery: { port: PROBE_PORT, spreadMs: 50 },
    });
    const common = {
      DATABASE_URL: t.url!,
      MQTT_URL: cluster.url,
      SIMULATE: 'false',
      GB_SIP_PORT: '0',
      HEALTH_INTERVAL: `${HEALTH_INTERVAL_MS}ms`,
      HEALTH_TIMEOUT: `${HEALTH_TIMEOUT_MS}ms`,
    };
    ingestEnv = {
      ...common,
      CAMERA_SHARING: 'on',
      CAMERA_PASSWORD: 'city-cam-pw',
      CREDENTIAL_KEY: 'city-cluster-test-key',
      CAMERA_ADDRESSES: `127.0.0.1:${CAMERA_PORT}-${CAMERA_PORT + CAMERAS - 1}`,
      TEST_PROBE_PORT: String(PROBE_PORT),
      CAMERA_LEASE_TTL: `${TTL_MS}ms`,
      CAMERA_LEASE_RENEW: `${RENEW_MS}ms`,
      DISCOVERY_INTERVAL: '1h',
      DISCOVERY_TIMEOUT: '500ms',
      STREAM_CHECK_INTERVAL: '1h',
    };
    const serviceEnv = async (kind: string, n: number) => ({
      ...common,
      LOG_LEVEL: 'info',
      MQTT_CLIENT_ID: `gw-city-${kind}-${n}`,
      DATA_DIR: path.join(dataDir, `${kind}-${n}`),
      PORT: String(await portIn(PORTS)),
      HOST: '127.0.0.1',
      FACE_WORKERS: '1',
      // The gateways: one deployment (Redis adapter, live share group), one token secret, the admin to log in as.
      REDIS_URL: redis.url,
      LIVE_CHANNEL: 'gw-city',
      JWT_SECRET: 'city-cluster-test-secret',
      BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
      LOGIN_RATE_LIMIT: '1000',
      CLIP_RECORDER: 'off',
    });
    const gatewayEnvs = [await serviceEnv('gateway', 0), await serviceEnv('gateway', 1)];
    gatewayPorts.push(...gatewayEnvs.map((e) => Number(e.PORT)));
    const [, , a0, a1, g0, g1] = await Promise.all([
      startIngest('gw-city-ingest-0'),
      startIngest('gw-city-ingest-1'),
      ServiceProcess.start('analytics', await serviceEnv('analytics', 0)),
      ServiceProcess.start('analytics', await serviceEnv('analytics', 1)),
      ServiceProcess.start('gateway', gatewayEnvs[0]),
      ServiceProcess.start('gateway', gatewayEnvs[1]),
    ]);
    analytics.push(a0, a1);
    gateways.push(g0, g1);
  }, 180_000);

  afterAll(async () => {
    for (const s of sockets) s.close();
    // A run that failed midway leaves its controllers publishing: they would keep the test process alive.
    for (const c of children) c.kill('SIGKILL');
    await Promise.allSettled([...ingests.map((i) => i.proc.stop('SIGKILL')), ...[...analytics, ...gateways].map((s) => s.stop())]);
    await sim?.stop();
    await redis?.close();
    await cluster?.close();
    await pool?.end();
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a broker node, an ingest and an analytics worker are SIGKILLed mid-stream and a camera goes down, then nothing acknowledged is lost, every camera stays watched, the outage opens one ticket and its alert is pushed live', async () => {
    await allWatchedOnce(live, CAMERAS, 'every camera watched once by the two instances');
    const watchedFrom = new Date();
    const clients = await Promise.all(gatewayPorts.map((p) => liveClient(`http://127.0.0.1:${p}`, 'admin', PASSWORD)));
    sockets.push(...clients.map((c) => c.socket));

    // The camera that goes down is one of the instance about to be killed: its survivor must take it over and the
    // outage must be detected across the takeover.
    const victimIngest = ingests[0];
    const faulted = [...victimIngest.watching()][0];
    expect(faulted).toBeDefined();

    // One node leads both the door stream and the product's (health samples, alerts): its death stops both at once.
    await leaderOfBoth(cluster, MQTT_STREAM, PRODUCT_STREAM);
    const doors = city.doors.map((d) => ({ propertyId: d.propertyId, id: d.id }));
    const job = (node: number, file: string) =>
      cluster.doorJob(node, {
        doors,
        perSecond: 100,
        seconds: 24,
        clients: 2,
        ackedFile: path.join(dataDir, file),
        drainMs: DOOR_BOUND_MS,
      });
    const t0 = Date.now();
    const at = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
    const timeline: string[] = [];
    const published = Promise.all([publishDoors(job(0, 'acked-0.txt'), children), publishDoors(job(1, 'acked-1.txt'), children)]);

    await sleep(3000);
    // The node leading $MQTT_msgs, which every door event is written to, and (made so above) the product's stream.
    const victimNode = Math.max(0, await cluster.leaderOf(MQTT_STREAM));
    const leadsBoth = victimNode === (await cluster.leaderOf(PRODUCT_STREAM));
    await cluster.killNode(victimNode);
    timeline.push(`node ${victimNode} (leading ${leadsBoth ? 'both streams' : MQTT_STREAM}) killed ${at()}`);
    await sleep(3000);
    await cluster.startNode(victimNode);
    timeline.push(`node ${victimNode} back ${at()}`);

    await sim.setFault(faulted, 'offline');
    timeline.push(`${faulted} offline ${at()}`);
    await sleep(1000);
    // The ingest and then the worker, each started again 2 s after its kill; the starts overlap (a start takes
    // seconds on this machine), so both kills fall inside the stream.
    await victimIngest.kill();
    timeline.push(`${victimIngest.name} killed ${at()}`);
    const ingestBack = sleep(2000)
      .then(() => startIngest(victimIngest.name))
      .then(() => void timeline.push(`${victimIngest.name} back ${at()}`));
    await sleep(2000);
    await analytics[0].kill();
    timeline.push(`analytics 0 killed ${at()}`);
    await sleep(2000);
    await Promise.all([ingestBack, analytics[0].restart().then(() => void timeline.push(`analytics 0 back ${at()}`))]);
    const lastRestart = Date.now();

    // Door events: every acknowledged id stored once, within the bound after the last restart.
    const results = await published;
    const ids = ['acked-0.txt', 'acked-1.txt'].flatMap((f) => readFileSync(path.join(dataDir, f), 'utf8').split('\n').filter(Boolean));
    const offered = results.reduce((a, r) => a + r.offered, 0);
    // Both sides of the crashes acknowledged something, or the run proves nothing.
    expect(ids.length).toBeGreaterThan(offered * 0.5);
    let doorsNow = await doorEventsStored(pool, ids);
    while (doorsNow.missing.length > 0 && Date.now() < lastRestart + DOOR_BOUND_MS) {
      await sleep(500);
      doorsNow = await doorEventsStored(pool, ids);
    }
    const doorsSettled = Date.now();

    // The outage: one outage row, one ticket, one alert, and that alert pushed to a client on each gateway.
    const outage = await until(
      () => outageOf(pool, faulted),
      (o) => o.alertIds.length > 0,
      60_000,
      `the outage alert of ${faulted}`,
    );
    const alertId = outage.alertIds[0];
    for (const c of clients)
      await until(() => c.alerts.some((a) => a.alertId === alertId), Boolean, 30_000, 'the outage alert on a live client');

    // Cameras: every one watched by exactly one live instance, none ever by two, no heartbeat gap past the bound.
    await allWatchedOnce(live, CAMERAS, 'every camera watched once after the restarts');
    const gaps = await heartbeatGaps(
      pool,
      city.cameras.map((c) => c.id),
      watchedFrom,
      new Date(),
    );
    const outageAfter = await outageOf(pool, faulted);
    const pushed = clients.map((c) => c.alerts.filter((a) => a.subjectId === faulted).map((a) => a.alertId));
    const pushedAt = clients.map((c) => c.alerts.find((a) => a.alertId === alertId)!.at);
    const rel = (ms: number) => `${((ms - t0) / 1000).toFixed(1)} s`;

    console.log(
      `city cluster run: ${timeline.join(', ')}; doors ${offered} offered, ${ids.length} acknowledged, ` +
        `${ids.length - doorsNow.missing.length} stored, ${doorsNow.missing.length} lost, ${doorsNow.twice} twice, all stored ` +
        `${((doorsSettled - lastRestart) / 1000).toFixed(1)} s after the last restart; longest heartbeat gap ` +
        `${(gaps[0].gapMs / 1000).toFixed(1)} s (${gaps[0].camera}, ending ${gaps[0].at}); ${faulted}: ` +
        `${outageAfter.outages} outage (from ${rel(outageAfter.since!.getTime())}), ${outageAfter.tickets} ticket, ` +
        `${outageAfter.alertIds.length} alert, pushed to the clients ${pushed.map((p) => p.length).join(' and ')} time(s) ` +
        `(at ${pushedAt.map(rel).join(' and ')}); total ${rel(Date.now())}`,
    );
    // Where a camera's watch moved: each instance's takeovers after the kill (from its log), against the longest gaps.
    const moves = ingests.map(
      (i) =>
        `${i.name}${i.killedAt ? ' (killed)' : ''} took at ${
          i
            .times('cameras watched')
            .filter((x) => x >= t0)
            .map(rel)
            .join(', ') || '-'
        }`,
    );
    console.log(
      `takeovers: ${moves.join('; ')}; gaps over ${GAP_BOUND_MS} ms: ${
        gaps
          .filter((g) => g.gapMs > GAP_BOUND_MS)
          .map((g) => `${g.camera} ${rel(Date.parse(g.at) - g.gapMs)}–${rel(Date.parse(g.at))}`)
          .join(', ') || 'none'
      }`,
    );
    const keep = process.env.CITY_KEEP_LOGS;
    if (keep) {
      ingests.forEach((i, n) => writeFileSync(path.join(keep, `ingest-${n}-${i.name}.log`), i.proc.output()));
      [...analytics, ...gateways].forEach((p, n) => writeFileSync(path.join(keep, `${p.kind}-${n}.log`), p.proc.output()));
    }
    expect({ missing: doorsNow.missing.length, sample: doorsNow.missing.slice(0, 3), twice: doorsNow.twice }).toEqual({
      missing: 0,
      sample: [],
      twice: 0,
    });
    expect(gaps.filter((g) => g.gapMs > GAP_BOUND_MS)).toEqual([]);
    expect(doubleWatches(ingests)).toEqual([]);
    expect({ outages: outageAfter.outages, tickets: outageAfter.tickets, alerts: outageAfter.alertIds }).toEqual({
      outages: 1,
      tickets: 1,
      alerts: [alertId],
    });
    expect(pushed).toEqual([[alertId], [alertId]]);
  }, 240_000);

  it('when the node leading the product stream is SIGKILLed, then every publish meanwhile resolves (once the election is over) and each message is handled', async () => {
    // A stream of its own on the same cluster (namespace and name), so the city's consumers are not involved.
    const opts = { url: cluster.url, stream: 'GW_CITY_PUBLISH', namespace: 'citypub' };
    const pub = await JetStreamBus.connect({ ...opts, clientId: 'gw-city-pub' });
    const sub = await JetStreamBus.connect({ ...opts, clientId: 'gw-city-sub' });
    try {
      const handled = new Set<string>();
      await sub.subscribeRaw(
        filterFor('cameraStatus'),
        async (_topic, payload) => void handled.add(JSON.parse(payload.toString()).reason),
        'g',
      );
      const victim = Math.max(0, await cluster.leaderOf(opts.stream));
      const sent: string[] = [];
      const failed: string[] = [];
      const pending: Promise<void>[] = [];
      const t0 = Date.now();
      let down: Promise<void> | undefined;
      while (Date.now() - t0 < 8000) {
        if (!down && Date.now() - t0 > 1000)
          down = cluster
            .killNode(victim)
            .then(() => sleep(3000))
            .then(() => cluster.startNode(victim));
        const reason = `p${sent.length}`;
        sent.push(reason);
        const change = { cameraId: 'cam-00001', ts: new Date().toISOString(), from: 'online', to: 'offline', reason } as const;
        pending.push(pub.publish('cameraStatus', { cameraId: 'cam-00001' }, change).catch((err) => void failed.push(`${reason}: ${err}`)));
        await sleep(50);
      }
      await Promise.all([down, ...pending]);
      expect(failed).toEqual([]);
      await until(
        () => sent.filter((r) => !handled.has(r)),
        (missing) => missing.length === 0,
        30_000,
        'every published message handled',
      );
    } finally {
      await pub.close();
      await sub.close();
    }
  }, 90_000);
});
