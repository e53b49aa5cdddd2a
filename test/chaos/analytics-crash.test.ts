// Analytics under crashes (issue 12, item 3), each with servers of its own (Mosquitto with deploy/mosquitto.conf,
// PostgreSQL where the database goes away): an analytics worker process SIGKILLed between the commit that opened
// outages and the acknowledgement of their samples; two workers on the shared subscription across a broker restart;
// a database outage while camera health flows.
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import { Bus } from '../../core/bus/bus.ts';
import { loadConfig } from '../../core/config/index.ts';
import { ManualClock } from '../../core/clock.ts';
import { createLogger } from '../../core/log.ts';
import { HealthRegistry, type ServiceContext } from '../../core/service.ts';
import { CityRepository } from '../../core/db/repositories/city.repository.ts';
import type { Db } from '../../core/db/db.ts';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { run, type Running } from '../helpers/run.ts';
import { startMosquitto, type TestBroker } from '../ingest/helpers/mosquitto.ts';
import { startPostgres, type TestPostgres } from '../ingest/helpers/postgres.ts';
import { eventually, sample, tinyCity, TEST_ENV } from '../analytics/helpers/analytics-context.ts';
import { portIn } from './harness.ts';
import { rangeOf } from '../helpers/port-ranges.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PORTS = rangeOf('analyticsCrash');

const id = () => randomBytes(3).toString('hex');

/** Outages, tickets and outage alerts per camera, and each camera's state. */
async function outcome(db: Db, cameras: string[]) {
  const r = await db.query<{ camera_id: string; outages: number; tickets: number; alerts: number; status: string }>(
    `SELECT s.camera_id, s.status,
            (SELECT count(*)::int FROM outages o WHERE o.camera_id = s.camera_id) AS outages,
            (SELECT count(*)::int FROM repair_tickets t WHERE t.camera_id = s.camera_id) AS tickets,
            (SELECT count(*)::int FROM alerts a JOIN outages o ON a.dedup_key = 'outage:' || o.outage_id
              WHERE o.camera_id = s.camera_id) AS alerts
       FROM camera_state s WHERE s.camera_id = ANY($1) ORDER BY s.camera_id`,
    [cameras],
  );
  return r.rows;
}

/** An analytics worker as its own process (the analytics service of `npm run analytics`), on the given broker and database. */
function startWorker(env: Record<string, string>): Running {
  const { LOG_LEVEL: _quiet, ...settings } = TEST_ENV;
  return run(process.execPath, ['--import', 'tsx', 'test/chaos/analytics-worker.ts'], { ...settings, LOG_LEVEL: 'info', ...env }, ROOT);
}

/** An analytics worker in this process on its own persistent session; `seen` gets the id of every message it handled. */
async function inProcessWorker(brokerUrl: string, db: Db, group: string, seen?: Set<string>) {
  const bus = await Bus.connect({ url: brokerUrl, clientId: `gw-test-worker-${id()}`, clean: false });
  const subacks: number[] = [];
  bus.client.on('packetreceive', (p) => void (p.cmd === 'suback' && subacks.push(Date.now())));
  if (seen) {
    const subscribe = bus.subscribe.bind(bus);
    // Counted once the service's handler has finished (what the bus then acknowledges).
    bus.subscribe = ((name, handler, g) =>
      subscribe(
        name,
        async (payload, topic) => {
          await handler(payload, topic);
          const p = payload as { sampleId?: string; eventId?: string };
          seen.add(p.sampleId ?? p.eventId ?? '');
        },
        g,
      )) as typeof bus.subscribe;
  }
  const ctx: ServiceContext = {
    config: loadConfig({ ...TEST_ENV, DATA_DIR: `/tmp/gw-analytics-${id()}` }),
    db,
    bus,
    broker: { kind: 'mosquitto', url: brokerUrl },
    log: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test'),
    clock: new ManualClock(Date.now()),
    health: new HealthRegistry(),
  };
  const service = new AnalyticsService(ctx, { group });
  await service.start();
  return {
    service,
    ctx,
    /** When this worker's subscriptions were confirmed by the broker (SUBACK), each time. */
    subacks,
    close: async () => {
      await service.stop().catch(() => {});
      await bus.close().catch(() => {});
    },
  };
}

function exited(w: Running): Promise<NodeJS.Signals | number | null> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return Promise.resolve(w.child.signalCode ?? w.child.exitCode);
  return new Promise((r) => w.child.once('exit', (code, signal) => r(signal ?? code)));
}

describe('analytics worker SIGKILLed between its state commit and its acknowledgement', () => {
  let broker: TestBroker;
  let tdb: TestDb;
  let pub: Bus;
  let worker: Running | undefined;
  const P = `k${id()}-`;
  const city = tinyCity(P, 1);
  const failing = city.cameras.slice(0, 3).map((c) => c.id);
  const sentinel = city.cameras[3].id;

  beforeAll(async () => {
    broker = await startMosquitto({ port: await portIn(PORTS) });
    tdb = await freshPgDb();
    await new CityRepository(tdb.db).importCity(city);
    pub = await Bus.connect({ url: broker.url, clientId: `gw-test-pub-${id()}`, clean: true });
  }, 60_000);
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await pub?.close();
    await tdb?.close();
    await broker?.close();
  });

  it('when the worker dies right after committing outages and is restarted, then each outage has one row, one ticket and one alert, and the live push gets them', async () => {
    const env = {
      DATABASE_URL: tdb.url!,
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: `gw-crash-worker-${id()}`,
      DATA_DIR: `/tmp/gw-crash-${id()}`,
      // The outbox relay sends what the killed worker stored and never sent, this long after its commit.
      OUTBOX_HOLD: '2s',
    };
    // What the gateway's live push would receive.
    const live = await mqtt.connectAsync(broker.url, { protocolVersion: 5 });
    const pushed: { topic: string; subject: string }[] = [];
    live.on('message', (topic, payload) => {
      const m = JSON.parse(String(payload)) as { subjectId?: string; cameraId?: string };
      pushed.push({ topic: topic.split('/').slice(1, 3).join('/'), subject: m.subjectId ?? m.cameraId ?? '' });
    });
    await live.subscribeAsync(['gridwatch/alerts/new/+', 'gridwatch/repairs/+'], { qos: 1 });
    worker = startWorker({ ...env, GW_TEST_CRASH_AFTER_OUTAGE_COMMIT: '1' });
    await worker.waitFor(/analytics worker running/, 60_000);
    // Three failed heartbeats per camera (two take a camera offline): the batch that opens the outages ends the worker.
    const t = Date.now();
    for (let i = 0; i < 3; i++)
      for (const cam of failing) await pub.publish('healthSample', { cameraId: cam }, sample(cam, new Date(t + i * 10), false));
    expect(await exited(worker)).toBe('SIGKILL');
    // The commit came before the kill: outages, tickets and alerts are there, the samples are not acknowledged.
    const atKill = await outcome(tdb.db, failing);
    expect(atKill.some((r) => r.outages === 1)).toBe(true);

    // Restarted under the same session: the broker hands the unacknowledged samples over again.
    worker = startWorker(env);
    await worker.waitFor(/analytics worker running/, 60_000);
    // A later sample of another camera: once it is applied, everything sent before it to this worker has been.
    await pub.publish('healthSample', { cameraId: sentinel }, sample(sentinel, new Date(), true));
    await eventually(async () => (await outcome(tdb.db, [sentinel]))[0]?.status === 'online', 30_000);
    expect(await outcome(tdb.db, failing)).toEqual(
      failing.map((camera_id) => ({ camera_id, status: 'offline', outages: 1, tickets: 1, alerts: 1 })),
    );
    // The killed worker sent nothing after its commit; the restarted one's outbox relay sends the alerts and tickets.
    const subjects = (topic: string) => [...new Set(pushed.filter((p) => p.topic === topic).map((p) => p.subject))].sort();
    const repairs = () => new Set(pushed.filter((p) => p.topic.startsWith('repairs/')).map((p) => p.subject));
    await eventually(async () => subjects('alerts/new').length === failing.length && repairs().size === failing.length, 30_000);
    expect(subjects('alerts/new')).toEqual([...failing].sort());
    expect(repairs()).toEqual(new Set(failing));
    await live.endAsync();
  }, 150_000);
});

describe('two analytics workers on the shared subscription across a broker restart', () => {
  let broker: TestBroker;
  let tdb: TestDb;
  const workers: Awaited<ReturnType<typeof inProcessWorker>>[] = [];
  let pub: Bus;
  const P = `s${id()}-`;
  const city = tinyCity(P, 20);
  const cameras = city.cameras.map((c) => c.id);

  beforeAll(async () => {
    broker = await startMosquitto({ port: await portIn(PORTS) });
    tdb = await freshPgDb();
    await new CityRepository(tdb.db).importCity(city);
  }, 60_000);
  afterAll(async () => {
    for (const w of workers) await w.close();
    await pub?.close();
    await tdb?.close();
    await broker?.close();
  });

  it('when the broker restarts while samples and camera events flow, then nothing is lost, not even what is published before the workers have subscribed again', async () => {
    const seen = new Set<string>();
    const group = `t-${P}`;
    workers.push(await inProcessWorker(broker.url, tdb.db, group, seen), await inProcessWorker(broker.url, tdb.db, group, seen));
    // A persistent publisher, as ingest is: what the broker has not acknowledged is sent again after its restart.
    pub = await Bus.connect({ url: broker.url, clientId: `gw-test-pub-${id()}`, clean: false });
    // The worst order, made certain: the publisher is back 0.1 s after the broker, before the workers (they retry each
    // second, as every bus does) have subscribed again.
    pub.client.options.reconnectPeriod = 100;
    const acked: { id: string; at: number }[] = [];
    const pending: Promise<void>[] = [];
    let restartedAt = 0;
    let n = 0;
    const send = () => {
      const cam = cameras[n % cameras.length];
      const ts = new Date();
      const msgId = randomUUID();
      const p =
        n++ % 5 === 4
          ? pub.publish('cameraEvent', { cameraId: cam }, { eventId: msgId, cameraId: cam, ts: ts.toISOString(), kind: 'motion_start' })
          : pub.publish('healthSample', { cameraId: cam }, { ...sample(cam, ts, true), sampleId: msgId });
      pending.push(p.then(() => void acked.push({ id: msgId, at: Date.now() })));
    };
    const until = Date.now() + 9000;
    let restarted = false;
    const t0 = Date.now();
    while (Date.now() < until) {
      for (let i = 0; i < 4; i++) send();
      await new Promise((r) => setTimeout(r, 20));
      if (!restarted && Date.now() - t0 > 3000) {
        restarted = true;
        // A graceful restart: Mosquitto saves its store, so only its forgetting of shared subscriptions can lose.
        void broker.stop().then(async () => {
          await new Promise((r) => setTimeout(r, 1000));
          await broker.start();
          restartedAt = Date.now();
        });
      }
    }
    await Promise.all(pending);
    // Mosquitto 2.0 restores the workers' sessions without their shared subscriptions: until they have subscribed
    // again (SUBACK), the broker answers "no matching subscribers", and the publisher sends those messages again.
    const resubscribed = Math.max(...workers.map((w) => Math.min(...w.subacks.filter((t) => t >= restartedAt))));
    const inGap = acked.filter((a) => a.at >= restartedAt && a.at <= resubscribed + 50).length;
    await eventually(async () => acked.every((a) => seen.has(a.id)), 20_000).catch(() => undefined);
    const lost = acked.filter((a) => !seen.has(a.id));
    console.log(
      `shared workers, broker restart: ${n} published, ${acked.length} acknowledged, ${seen.size} handled, ${lost.length} lost; ` +
        `workers subscribed again ${resubscribed - restartedAt} ms after the broker was back; ${inGap} acknowledged in that gap; ` +
        `${pub.republished.sent} sends again, ${pub.republished.dropped} given up`,
    );
    expect(acked.length).toBe(n);
    expect(lost).toEqual([]);
    expect(pub.republished.dropped).toBe(0);
  }, 90_000);
});

describe('analytics while its database is away during camera health', () => {
  let pgs: TestPostgres;
  let broker: TestBroker;
  let tdb: TestDb;
  let worker: Awaited<ReturnType<typeof inProcessWorker>> | undefined;
  let pub: Bus;
  const P = `d${id()}-`;
  const city = tinyCity(P, 5);
  const cameras = city.cameras.map((c) => c.id);

  beforeAll(async () => {
    pgs = await startPostgres({ port: await portIn(PORTS) });
    broker = await startMosquitto({ port: await portIn(PORTS) });
    tdb = await freshPgDb({ adminUrl: pgs.url, poolSize: 4 });
    await new CityRepository(tdb.db).importCity(city);
    pub = await Bus.connect({ url: broker.url, clientId: `gw-test-pub-${id()}`, clean: true });
  }, 90_000);
  afterAll(async () => {
    await worker?.close();
    await pub?.close();
    await tdb?.close();
    await broker?.close();
    await pgs?.close();
  });

  it('when PostgreSQL is SIGKILLed while samples come, then they are buffered, none is lost, and the camera states are right afterwards', async () => {
    worker = await inProcessWorker(broker.url, tdb.db, `t-${P}`);
    const { service } = worker;
    const t = Date.now();
    const round = (i: number, up: (cam: string) => boolean) =>
      Promise.all(cameras.map((cam) => pub.publish('healthSample', { cameraId: cam }, sample(cam, new Date(t + i * 100), up(cam)))));
    await round(0, () => true);
    await eventually(async () => service.status.processed >= cameras.length);
    await pgs.kill();
    // Half the cameras fail three heartbeats while the database is away, the rest answer.
    const down = new Set(cameras.filter((_, i) => i % 2 === 0));
    for (let i = 1; i <= 3; i++) await round(i, (cam) => !down.has(cam));
    await eventually(async () => worker!.ctx.health.snapshot().analytics.degraded === true);
    const held = worker.ctx.health.snapshot().analytics;
    await pgs.start();
    await eventually(async () => service.status.processed >= cameras.length * 4, 60_000);
    const rows = await outcome(tdb.db, cameras);
    console.log(`database outage: held while away ${JSON.stringify(held)}, processed ${service.status.processed}`);
    expect(rows).toEqual(
      cameras.map((camera_id) =>
        down.has(camera_id)
          ? { camera_id, status: 'offline', outages: 1, tickets: 1, alerts: 1 }
          : { camera_id, status: 'online', outages: 0, tickets: 0, alerts: 0 },
      ),
    );
    expect(service.status.processed).toBe(cameras.length * 4);
  }, 120_000);
});
