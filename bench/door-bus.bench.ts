// Issue 16's rows: the door intake through each bus engine, and the failover of a killed NATS node. QoS 1 door
// controllers (MQTT 3.1.1, which both Mosquitto and nats-server's MQTT listener speak) publish to the engine; the real
// DoorIntake, in this process, commits to PostgreSQL and acknowledges through the bus (MQTT PUBACK, or a JetStream ack
// of the `$MQTT_msgs` durable consumer). Latency is publish → commit. `npm run bench -- door-bus`.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile, spawn } from 'node:child_process';
import mqtt from 'mqtt';
import type { Row } from './main.ts';
import { freshPgDb, type TestDb } from '../test/helpers/db.ts';
import { startMosquitto, waitForPort } from '../test/ingest/helpers/mosquitto.ts';
import { doorIntakeEnv, portIn } from '../test/chaos/harness.ts';
import { importTestCity } from '../test/ingest/helpers/context.ts';
import { NatsCluster } from '../test/chaos/nats-cluster.ts';
import type { PublisherJob, PublisherResult } from '../test/chaos/acked-publisher.ts';
import { DoorIntake } from '../ingest/doors/door-intake.ts';
import { connectBus } from '../core/bus/connect.ts';
import { MQTT_STREAM } from '../core/bus/jetstream-bus.ts';
import { loadConfig } from '../core/config/index.ts';
import { createLogger } from '../core/log.ts';
import { systemClock } from '../core/clock.ts';
import { HealthRegistry, type ServiceContext } from '../core/service.ts';
import { run as runProcess, type Running } from '../test/helpers/run.ts';
import { connect as natsConnect } from '@nats-io/transport-node';
import { publishDoors } from '../test/chaos/publisher-process.ts';

const HIGH = Number(process.env.BENCH_BUS_HIGH_RATE ?? 20_000);
const LOW = Number(process.env.BENCH_BUS_LOW_RATE ?? 2_000);
const SECONDS = Number(process.env.BENCH_BUS_SECONDS ?? 15);
/** BENCH_PORTS=lo-hi: the ports the bench's servers take (default 21000-21999). */
const PORTS = (process.env.BENCH_PORTS?.split('-').map(Number) as [number, number] | undefined) ?? [21000, 21999];
/**
 * `failover`: only the 3-node cluster's failover row; `rabbitmq`: only RabbitMQ's rows; `instances`: door intake by 1
 * and then 2 real ingest processes on NATS (BENCH_BUS_NODES nodes, default 1), see instanceRows().
 */
const ONLY = process.env.BENCH_BUS_ONLY;
const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Idle CPU of the ingest processes is measured this long before each run (timers, lease renewals, GC). */
const IDLE_MS = 5000;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const progress = (text: string) => process.stderr.write(`  ${text}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const publish = (job: PublisherJob): Promise<PublisherResult> => publishDoors(job);

interface Engine {
  name: string;
  /** The intake's MQTT version (RabbitMQ 3.10 speaks 3.1.1 only: a plain subscription, no shared one). */
  protocolVersion?: 4 | 5;
  busUrl: string;
  mqttUrl: string;
  cluster?: NatsCluster;
  close(): Promise<void>;
}

interface Run {
  offered: number;
  acked: number;
  committed: number;
  rate: number;
  p50: number;
  p99: number;
  /** Longest time without a commit after `gapFrom` (failover). */
  gapMs: number;
  stored: number;
}

async function measure(
  t: TestDb,
  doors: { propertyId: string; id: string }[],
  e: Engine,
  rate: number,
  seconds: number,
  during?: (t0: number) => Promise<void>,
): Promise<Run> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-bench-bus-'));
  const config = loadConfig({ LOG_LEVEL: 'silent', DATABASE_URL: t.url!, MQTT_URL: e.busUrl, DATA_DIR: dataDir });
  const log = createLogger('silent', 'bench');
  const clientId = `gw-bench-bus-${Math.random().toString(36).slice(2, 8)}`;
  const bus = await connectBus({ url: e.busUrl, clientId, log, protocolVersion: e.protocolVersion });
  const ctx: ServiceContext = {
    config,
    db: t.db,
    bus,
    broker: { kind: 'external', url: e.busUrl },
    log,
    clock: systemClock,
    health: new HealthRegistry(),
  };
  const lat: number[] = [];
  let committed = 0;
  let first = 0;
  let last = 0;
  let gapFrom = Infinity;
  let gapMs = 0;
  const intake = new DoorIntake(ctx, {
    onCommitted: (batch) => {
      const now = Date.now();
      if (now > gapFrom) gapMs = Math.max(gapMs, now - Math.max(last, gapFrom));
      if (!first) first = now;
      last = now;
      committed += batch.length;
      for (const ev of batch) lat.push(now - Date.parse(ev.ts));
    },
  });
  await intake.start();
  const ackedFile = path.join(dataDir, 'acked.txt');
  const t0 = Date.now();
  const published = publish({
    url: e.mqttUrl,
    doors,
    perSecond: rate,
    seconds,
    clients: 4,
    protocolVersion: 4,
    ackedFile,
    drainMs: 60_000,
  });
  if (during) {
    gapFrom = t0;
    await during(t0);
  }
  const res = await published;
  const ids = readFileSync(ackedFile, 'utf8').split('\n').filter(Boolean);
  const until = Date.now() + 60_000;
  while (committed < ids.length && Date.now() < until) await sleep(50);
  await intake.stop();
  await bus.close();
  if (e.busUrl.startsWith('mqtt'))
    await (await mqtt.connectAsync(e.busUrl, { clientId, clean: true, protocolVersion: e.protocolVersion ?? 5 })).endAsync();
  const r = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM door_events WHERE event_id = ANY($1::uuid[])', [ids]);
  rmSync(dataDir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
  return {
    offered: res.offered,
    acked: ids.length,
    committed,
    rate: (committed / Math.max(1, last - first)) * 1000,
    p50: pct(50),
    p99: pct(99),
    gapMs,
    stored: r.rows[0].n,
  };
}

async function mosquitto(): Promise<Engine> {
  const b = await startMosquitto();
  return { name: 'Mosquitto 2.0 (deploy/mosquitto.conf)', busUrl: b.url, mqttUrl: b.url, close: () => b.close() };
}

/**
 * A RabbitMQ 3.10 node of our own (Debian's rabbitmq-server) with the MQTT plugin, on our ports with its own epmd,
 * Mnesia and cookie (HOME): the machine's RabbitMQ has the plugin off and is not touched. One node, defaults.
 */
async function rabbitmq(): Promise<Engine> {
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-rabbit-'));
  const [amqp, mqttPort, dist, epmd] = [await portIn(PORTS), await portIn(PORTS), await portIn(PORTS), await portIn(PORTS)];
  writeFileSync(path.join(dir, 'enabled_plugins'), '[rabbitmq_mqtt].\n');
  writeFileSync(
    path.join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = 127.0.0.1:${amqp}`,
      `mqtt.listeners.tcp.default = 127.0.0.1:${mqttPort}`,
      'mqtt.allow_anonymous = true',
      // Unacknowledged deliveries per MQTT subscriber: 10 by default, which caps an intake that acknowledges after a
      // batched commit near 200/s; 20,000 as the Receive Maximum Gridwatch asks of Mosquitto.
      'mqtt.prefetch = 20000',
      'loopback_users = none',
    ].join('\n'),
  );
  const env = {
    ...process.env,
    HOME: dir,
    RABBITMQ_NODENAME: `gwbench${amqp}@localhost`,
    RABBITMQ_NODE_PORT: String(amqp),
    RABBITMQ_DIST_PORT: String(dist),
    ERL_EPMD_PORT: String(epmd),
    RABBITMQ_MNESIA_BASE: path.join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: path.join(dir, 'rabbitmq'),
    RABBITMQ_PID_FILE: path.join(dir, 'pid'),
  };
  const proc = spawn('/usr/lib/rabbitmq/bin/rabbitmq-server', [], { env, detached: true, stdio: 'ignore' });
  await waitForPort(mqttPort, 120_000);
  const url = `mqtt://127.0.0.1:${mqttPort}`;
  return {
    name: 'RabbitMQ 3.10 MQTT plugin, 1 node',
    busUrl: url,
    mqttUrl: url,
    protocolVersion: 4,
    close: async () => {
      // The node and the epmd it started (same process group).
      try {
        process.kill(-proc.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
      const pid = await new Promise<string>((r) => execFile('ss', ['-ltnpH', `sport = :${epmd}`], (_e, out) => r(out)));
      for (const m of pid.matchAll(/pid=(\d+)/g)) {
        try {
          process.kill(Number(m[1]), 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function nats(size: number): Promise<Engine> {
  const c = await NatsCluster.start({ size, ports: PORTS });
  return {
    name: size === 1 ? 'NATS 2.9 JetStream, 1 node' : `NATS 2.9 JetStream, ${size}-node cluster (R3)`,
    busUrl: c.url,
    mqttUrl: c.mqttUrl(0),
    cluster: c,
    close: () => c.close(),
  };
}

/** CPU seconds (user + system) of one process so far, from /proc. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

interface InstancesRun {
  offered: number;
  acked: number;
  /** Acknowledged ids with a row in door_events. */
  stored: number;
  /** Rows beyond one per event id, over the whole table. */
  twice: number;
  rate: number;
  p50: number;
  p99: number;
  /** Ingest CPU seconds (all instances) from the first publish until every acknowledged event was announced. */
  cpu: number;
  /** What the instances spend idle over the same time (measured over IDLE_MS before the run), in CPU seconds. */
  idle: number;
  announced: number;
}

/**
 * Door intake by real ingest processes (ingest/main.ts, the shared `ingest` durable consumer of `$MQTT_msgs`) at one
 * offered rate. Commits are seen as the intake's announcements of committed batches (core NATS subscription to the
 * door-events subject: an intake announces a batch after its commit), so latency is publish → commit + announce.
 */
async function measureInstances(
  t: TestDb,
  doors: { propertyId: string; id: string }[],
  c: NatsCluster,
  ingests: Running[],
  rate: number,
  seconds: number,
): Promise<InstancesRun> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-bench-inst-'));
  const nc = await natsConnect({ servers: c.nodes.map((n) => `127.0.0.1:${n.clientPort}`) });
  const lat: number[] = [];
  let announced = 0;
  let first = 0;
  let last = 0;
  const sub = nc.subscribe('gridwatch.events.doors');
  void (async () => {
    for await (const m of sub) {
      const now = Date.now();
      const batch = m.json<{ events: { ts: string }[] }>();
      if (!first) first = now;
      last = now;
      announced += batch.events.length;
      for (const ev of batch.events) lat.push(now - Date.parse(ev.ts));
    }
  })();
  const pids = ingests.map((i) => i.child.pid!);
  const idle0 = pids.map(cpuSeconds);
  const i0 = Date.now();
  await sleep(IDLE_MS);
  const idleCores = pids.map(cpuSeconds).reduce((a, x, k) => a + x - idle0[k], 0) / ((Date.now() - i0) / 1000);
  const cpu0 = pids.map(cpuSeconds);
  const c0 = Date.now();
  const ackedFile = path.join(dataDir, 'acked.txt');
  const res = await publish(c.doorJob(0, { doors, perSecond: rate, seconds, clients: 4, ackedFile, drainMs: 120_000 }));
  const ids = readFileSync(ackedFile, 'utf8').split('\n').filter(Boolean);
  // Announcements can repeat an event (a batch redelivered after a restart): wait for the count, then read the table.
  const until = Date.now() + 120_000;
  while (announced < ids.length && Date.now() < until) await sleep(50);
  const cpu = pids.map(cpuSeconds).reduce((a, x, k) => a + x - cpu0[k], 0);
  const idle = (idleCores * (Date.now() - c0)) / 1000;
  await sleep(500);
  sub.unsubscribe();
  await nc.close();
  const stored = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM door_events WHERE event_id = ANY($1::uuid[])', [ids]);
  const twice = await t.db.query<{ n: number }>('SELECT (count(*) - count(DISTINCT event_id))::int AS n FROM door_events');
  rmSync(dataDir, { recursive: true, force: true });
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))] ?? NaN;
  return {
    offered: res.offered,
    acked: ids.length,
    stored: stored.rows[0].n,
    twice: twice.rows[0].n,
    rate: (announced / Math.max(1, last - first)) * 1000,
    p50: pct(50),
    p99: pct(99),
    cpu,
    idle,
    announced,
  };
}

/** Issue 16, item 5: door intake with 1 and then 2 ingest instances on the durable bus, at LOW and HIGH offered rates. */
async function instanceRows(t: TestDb, doors: { propertyId: string; id: string }[]): Promise<Row[]> {
  const size = Number(process.env.BENCH_BUS_NODES ?? 1);
  const c = await NatsCluster.start({ size, ports: PORTS });
  const engine = size === 1 ? 'NATS 2.9 JetStream, 1 node' : `NATS 2.9 JetStream, ${size}-node cluster (R3)`;
  const dirs = mkdtempSync(path.join(tmpdir(), 'gw-bench-ingests-'));
  const ingests: Running[] = [];
  const rows: Row[] = [];
  const start = async (n: number) => {
    const r = runProcess(
      process.execPath,
      ['--max-semi-space-size=32', '--import', 'tsx', 'ingest/main.ts'],
      doorIntakeEnv({
        databaseUrl: t.url!,
        busUrl: c.url,
        clientId: `gw-bench-ingest-${n}`,
        dataDir: path.join(dirs, `ingest-${n}`),
        port: await portIn(PORTS),
      }),
      ROOT,
    );
    ingests.push(r);
    await r.waitFor(/ingest running/, 120_000);
  };
  try {
    // A short run first: the intake's durable consumer and the door directory are warm for the measured ones.
    await start(0);
    await measureInstances(t, doors, c, ingests, LOW, 3);
    for (const n of [1, 2]) {
      if (n === 2) {
        await start(1);
        await measureInstances(t, doors, c, ingests, LOW, 3);
      }
      for (const rate of [LOW, HIGH]) {
        progress(`${engine}, ${n} ingest instance(s): ${rate}/s for ${SECONDS} s`);
        const load = loadavg()[0];
        const r = await measureInstances(t, doors, c, ingests, rate, SECONDS);
        const perEvent = (r.cpu / Math.max(1, r.announced)) * 1e6;
        const perEventBusy = ((r.cpu - r.idle) / Math.max(1, r.announced)) * 1e6;
        progress(
          `  ${fmt(r.rate)}/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.stored} of ${r.acked} acknowledged stored, ${r.twice} twice, ${perEvent.toFixed(0)} µs CPU/event (${perEventBusy.toFixed(0)} without idle)`,
        );
        rows.push({
          name: `door intake by ${n} ingest process${n > 1 ? 'es' : ''} (ingest/main.ts) via ${engine}, QoS 1 (4 publishers), ${fmt(rate)}/s offered for ${SECONDS} s`,
          value: `${fmt(r.rate)} events/s committed, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms; ingest CPU ${perEvent.toFixed(0)} µs/event`,
          note:
            `${fmt(r.acked)} acknowledged of ${fmt(r.offered)} offered, ${fmt(r.stored)} of them stored, ${r.twice} rows twice; ` +
            `ingest CPU ${r.cpu.toFixed(1)} s over ${n} process(es) for ${fmt(r.announced)} events, ${perEventBusy.toFixed(0)} µs/event without their idle cost (${r.idle.toFixed(1)} s); ` +
            `latency publish → commit + announcement on the bus; load average ${load.toFixed(1)} before; ` +
            `2 cores shared by the broker, ${n} ingest(s), publishers and PostgreSQL: correctness and overhead, not speed-up`,
        });
      }
    }
  } finally {
    await Promise.allSettled(ingests.map((i) => i.stop('SIGTERM')));
    await c.close();
    rmSync(dirs, { recursive: true, force: true });
  }
  return rows;
}

export async function run(): Promise<Row[]> {
  const t = await freshPgDb({ poolSize: 6 });
  if (ONLY === 'instances') {
    try {
      const city = await importTestCity(t.db, { doors: 200, cameras: 1 });
      return await instanceRows(
        t,
        city.doors.map((d) => ({ propertyId: d.propertyId, id: d.id })),
      );
    } finally {
      await t.close();
    }
  }
  const rows: Row[] = [];
  try {
    const city = await importTestCity(t.db, { doors: 200, cameras: 1 });
    const doors = city.doors.map((d) => ({ propertyId: d.propertyId, id: d.id }));
    const engines =
      ONLY === 'failover' ? [() => nats(3)] : ONLY === 'rabbitmq' ? [rabbitmq] : [mosquitto, rabbitmq, () => nats(1), () => nats(3)];
    for (const make of engines) {
      const e = await make();
      try {
        for (const rate of ONLY === 'failover' ? [] : [HIGH, LOW]) {
          progress(`${e.name}: ${rate}/s for ${SECONDS} s`);
          const r = await measure(t, doors, e, rate, SECONDS);
          progress(`  ${fmt(r.rate)}/s committed, p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.stored} of ${r.acked} acknowledged stored`);
          rows.push({
            name: `door intake via ${e.name}, QoS 1 (MQTT 3.1.1, 4 publishers), ${fmt(rate)}/s offered for ${SECONDS} s`,
            value: `${fmt(r.rate)} events/s committed, p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms`,
            note: `${fmt(r.acked)} acknowledged of ${fmt(r.offered)} offered, ${fmt(r.stored)} of them stored; load average ${loadavg()[0].toFixed(1)}; the machine's PostgreSQL 15`,
          });
        }
        if (e.cluster && e.cluster.nodes.length > 1) {
          const c = e.cluster;
          // Failover: SIGKILL the node leading $MQTT_msgs while controllers publish to another node's MQTT listener.
          // (A short run first when it is the only one: the intake makes $MQTT_msgs and its consumer.)
          if (ONLY === 'failover') await measure(t, doors, e, LOW, 3);
          const leader = await c.leaderOf(MQTT_STREAM);
          const victim = leader >= 0 ? leader : 1;
          const pubNode = victim === 0 ? 1 : 0;
          const e2 = { ...e, mqttUrl: c.mqttUrl(pubNode) };
          progress(`${e.name}: failover, SIGKILL node ${victim} (leader ${leader}) at 5 s of ${SECONDS} s at ${LOW}/s`);
          const r = await measure(t, doors, e2, LOW, SECONDS, async (t0) => {
            await sleep(Math.max(0, t0 + 5000 - Date.now()));
            await c.killNode(victim);
            await sleep(5000);
            await c.startNode(victim);
          });
          progress(`  longest commit gap ${r.gapMs} ms, ${r.stored} of ${r.acked} acknowledged stored, p99 ${r.p99} ms`);
          rows.push({
            name: `${e.name}: the leader of $MQTT_msgs SIGKILLed at ${fmt(LOW)}/s, back after 5 s`,
            value: `longest gap between commits ${fmt(r.gapMs)} ms; ${fmt(r.stored)} of ${fmt(r.acked)} acknowledged stored`,
            note: `p99 over the run ${fmt(r.p99)} ms; controllers on another node's MQTT listener; ${fmt(r.offered)} offered`,
          });
        }
      } finally {
        await e.close();
      }
    }
  } finally {
    await t.close();
  }
  return rows;
}
