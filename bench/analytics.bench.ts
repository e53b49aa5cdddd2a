// Issue 5's rows: health samples processed per second by one analytics worker (state machine on shared DB state,
// PostgreSQL on this machine), directly and through Mosquitto; and the delay from a camera going down to its
// ticket being open, with heartbeats every HEALTH_INTERVAL and OFFLINE_AFTER_FAILURES failures.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Row } from './main.ts';
import { loadConfig } from '../core/config/index.ts';
import { Bus } from '../core/bus/bus.ts';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/log.ts';
import { HealthRegistry, type ServiceContext } from '../core/service.ts';
import { CityRepository } from '../core/db/repositories/city.repository.ts';
import { AnalyticsService } from '../analytics/analytics.service.ts';
import type { TimedInput } from '../analytics/status/status-processor.ts';
import { freshPgDb } from '../test/helpers/db.ts';
import { sample } from '../test/analytics/helpers/analytics-context.ts';
import { generateCity } from '../fixtures/city/generate-city.ts';
import { startMosquitto } from '../test/ingest/helpers/mosquitto.ts';

const CAMERAS = Number(process.env.BENCH_ANALYTICS_CAMERAS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ANALYTICS_ROUNDS ?? 20);
const MQTT_SAMPLES = Number(process.env.BENCH_ANALYTICS_MQTT_SAMPLES ?? 50_000);
const DOWN_CAMERAS = Number(process.env.BENCH_ANALYTICS_DOWN ?? 20);
const HEARTBEAT_MS = 1000;
const FAILURES = 2;
// Our own broker with the repo's deploy/mosquitto.conf: the stock default (20 QoS 1 messages in flight per client)
// would cap a consumer that acknowledges after commit at ~20 messages per batch.
let MQTT_URL = '';

const connect = () =>
  Bus.connect({ url: MQTT_URL, clientId: `gw-bench-${randomBytes(4).toString('hex')}`, clean: true, protocolVersion: 5 });

async function context(env: Record<string, string>) {
  const testDb = await freshPgDb({ poolSize: 10 });
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    ANALYTICS_TICK: '250ms',
    COVERAGE_INTERVAL: '1h',
    OFFLINE_AFTER_FAILURES: String(FAILURES),
    HEALTH_INTERVAL: `${HEARTBEAT_MS}ms`,
    ...env,
  });
  const bus = await connect();
  const ctx: ServiceContext = {
    config,
    db: testDb.db,
    bus,
    broker: { kind: 'mosquitto', url: MQTT_URL },
    log: createLogger('silent'),
    clock: systemClock,
    health: new HealthRegistry(),
  };
  return { ctx, close: async () => (await bus.close(), await testDb.close()) };
}

/** Heartbeat rounds for every camera straight into the worker's batch processor: 1 % of cameras fail in each round. */
async function throughput(): Promise<Row[]> {
  const { ctx, close } = await context({});
  try {
    const city = generateCity({ seed: 42, cameras: CAMERAS, doors: 40 });
    await new CityRepository(ctx.db).importCity(city);
    const svc = new AnalyticsService(ctx, { group: `bench-${randomBytes(3).toString('hex')}` });
    const ids = city.cameras.map((c) => c.id);
    const batch = ctx.config.batchSize;
    const t0 = Date.now() - ROUNDS * HEARTBEAT_MS;
    // Warm-up round creates every camera's state row.
    await svc.status.process(ids.map((cameraId) => ({ cameraId, ts: t0, input: { type: 'check', ok: true } })));
    let n = 0;
    const start = performance.now();
    for (let r = 1; r <= ROUNDS; r++) {
      const items: TimedInput[] = ids.map((cameraId, i) => ({
        cameraId,
        ts: t0 + r * HEARTBEAT_MS,
        input: (i + r) % 100 === 0 ? { type: 'check', ok: false, cause: 'unreachable' } : { type: 'check', ok: true },
      }));
      for (let i = 0; i < items.length; i += batch) await svc.status.process(items.slice(i, i + batch));
      n += items.length;
    }
    const rate = n / ((performance.now() - start) / 1000);

    const c0 = performance.now();
    const rows = await svc.coverage.recompute();
    const firstMs = performance.now() - c0;
    const c1 = performance.now();
    await svc.coverage.recompute();
    const againMs = performance.now() - c1;
    const cells = rows.filter((r) => r.level === 'cell').length;

    // Through the broker: published by a separate client, validated, batched and processed by the worker.
    await svc.start();
    const pubs = await Promise.all([connect(), connect(), connect(), connect()]);
    const before = svc.status.processed;
    const mStart = performance.now();
    const now = Date.now();
    // Four publishers, each with up to 1,000 QoS 1 messages awaiting their PUBACK: the broker, not one socket, is the limit.
    await Promise.all(
      pubs.map(async (pub, p) => {
        for (let i = p * 1000; i < MQTT_SAMPLES; i += 4000) {
          await Promise.all(
            Array.from({ length: Math.min(1000, MQTT_SAMPLES - i) }, (_, k) => {
              const id = ids[(i + k) % ids.length];
              return pub.publish('healthSample', { cameraId: id }, sample(id, new Date(now + i + k), true));
            }),
          );
        }
      }),
    );
    while (svc.status.processed - before < MQTT_SAMPLES && performance.now() - mStart < 60_000) await new Promise((r) => setTimeout(r, 20));
    const got = svc.status.processed - before;
    const mqttRate = got / ((performance.now() - mStart) / 1000);
    for (const pub of pubs) await pub.close();
    await svc.stop();
    return [
      {
        name: `health samples processed per second, one worker (${CAMERAS.toLocaleString('en')} cameras, batches of ${batch}, 1 % failing)`,
        value: `${Math.round(rate).toLocaleString('en')}/s`,
        target: '≥ 50,000/s',
        note: `states cached per worker with a change feed; changed rows written with a change-number guard; load average ${loadavg()[0].toFixed(1)} during the run`,
      },
      {
        name: `coverage recompute (${CAMERAS.toLocaleString('en')} cameras, ${cells} cells, rollups, hourly row)`,
        value: `${(firstMs / 1000).toFixed(2)} s first, ${(againMs / 1000).toFixed(2)} s after`,
        note: 'first clips every view to its cells (turf); later runs reuse the clipped pieces and only union the cameras up',
      },
      {
        name: `health samples per second through Mosquitto (QoS 1, one worker, ${MQTT_SAMPLES.toLocaleString('en')} samples)`,
        value: `${Math.round(mqttRate).toLocaleString('en')}/s`,
        note: `4 publishers → own Mosquitto (deploy/mosquitto.conf) → worker; includes delivery, JSON parse, schema validation, ack after commit${got < MQTT_SAMPLES ? `; only ${got} of ${MQTT_SAMPLES} in 60 s` : ''}`,
      },
    ];
  } finally {
    await close();
  }
}

/** Cameras heartbeat every second over MQTT; some go down at random moments; time from going down to the ticket row. */
async function downToTicket(): Promise<Row[]> {
  const { ctx, close } = await context({});
  try {
    const city = generateCity({ seed: 7, cameras: 200, doors: 40 });
    await new CityRepository(ctx.db).importCity(city);
    const svc = new AnalyticsService(ctx, { group: `bench-${randomBytes(3).toString('hex')}` });
    await svc.start();
    const pub = await connect();
    const ids = city.cameras.map((c) => c.id);
    const downAt = new Map<string, number>();
    const openedAt = new Map<string, number>();
    await ctx.bus.subscribe('repairUpdated', async (t) => {
      if (t.state === 'open' && downAt.has(t.cameraId) && !openedAt.has(t.cameraId)) openedAt.set(t.cameraId, Date.now());
    });
    const victims = ids.slice(0, DOWN_CAMERAS);
    const start = Date.now();
    // Each victim goes down at a random moment within the first 5 s; heartbeats keep their phase.
    const schedule = new Map(victims.map((id) => [id, start + 1500 + Math.random() * 5000]));
    const phase = new Map(ids.map((id) => [id, Math.random() * HEARTBEAT_MS]));
    const until = start + 10_000;
    const timers: NodeJS.Timeout[] = [];
    for (const id of ids) {
      const beat = () => {
        const now = Date.now();
        const down = (schedule.get(id) ?? Infinity) <= now;
        if (down && !downAt.has(id)) downAt.set(id, schedule.get(id)!);
        void pub.publish('healthSample', { cameraId: id }, { ...sample(id, new Date(now), !down), sampleId: randomUUID() });
      };
      timers.push(
        setTimeout(() => {
          beat();
          timers.push(setInterval(beat, HEARTBEAT_MS));
        }, phase.get(id)),
      );
    }
    // Going down is observed by the first failed heartbeat: record it when its schedule passes.
    while (Date.now() < until) {
      for (const [id, at] of schedule) if (at <= Date.now() && !downAt.has(id)) downAt.set(id, at);
      await new Promise((r) => setTimeout(r, 50));
    }
    for (const t of timers) clearInterval(t);
    await new Promise((r) => setTimeout(r, 1000));
    const delays = victims
      .filter((id) => openedAt.has(id))
      .map((id) => openedAt.get(id)! - downAt.get(id)!)
      .sort((a, b) => a - b);
    await pub.close();
    await svc.stop();
    const target = HEARTBEAT_MS * FAILURES + 1000;
    const p50 = delays[Math.floor(delays.length / 2)] ?? NaN;
    const max = delays.at(-1) ?? NaN;
    return [
      {
        name: `camera down → ticket open (heartbeat ${HEARTBEAT_MS / 1000} s × ${FAILURES} failures, ${ids.length} cameras over MQTT)`,
        value: `p50 ${(p50 / 1000).toFixed(2)} s, max ${(max / 1000).toFixed(2)} s`,
        target: `≤ ${(target / 1000).toFixed(0)} s`,
        note: `${delays.length}/${victims.length} tickets opened; heartbeats published as ingest does (not the ONVIF simulator)`,
      },
    ];
  } finally {
    await close();
  }
}

export async function run(): Promise<Row[]> {
  const broker = await startMosquitto();
  MQTT_URL = broker.url;
  try {
    return [...(await throughput()), ...(await downToTicket())];
  } finally {
    await broker.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const r of await run())
    console.log(`${r.name}: ${r.value}${r.target ? ` (target ${r.target})` : ''}${r.note ? ` — ${r.note}` : ''}`);
  process.exit(0);
}
