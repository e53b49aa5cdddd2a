// Issue 4's rows. Doors: door events from MQTT publishers (QoS 1, own Mosquitto with the repo config) to committed
// PostgreSQL rows through the real door intake, sustained, next to the naive peer (one INSERT per message, ack after
// it) under the same offered load in the same run; latency is publish → commit (the event's ts is its publish time).
// Camera health is bench/camera-health.bench.ts.
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { fork } from 'node:child_process';
import mqtt, { type IPublishPacket } from 'mqtt';
import type { Row } from './main.ts';
import { freshPgDb } from '../test/helpers/db.ts';
import { startMosquitto } from '../test/ingest/helpers/mosquitto.ts';
import { readPgConf, startPostgres } from '../test/ingest/helpers/postgres.ts';
import { importTestCity, testContext } from '../test/ingest/helpers/context.ts';
import { DoorIntake } from '../ingest/doors/door-intake.ts';
import { decodeDoorMessage } from '../ingest/doors/door-message.ts';
import { DoorEventsRepository } from '../core/db/index.ts';

const RATE = Number(process.env.BENCH_INGEST_RATE ?? 20_000);
const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 60);
/** Offered before the measured window at the same rate, left out of rate and latency. */
const WARMUP = Number(process.env.BENCH_INGEST_WARMUP ?? 5);
/** A second run above the target to show the headroom (0 to skip). */
const HEADROOM_RATE = Number(process.env.BENCH_INGEST_HEADROOM_RATE ?? 24_000);
const NAIVE_SECONDS = Number(process.env.BENCH_INGEST_NAIVE_SECONDS ?? 10);
const CLIENTS = 4;
/**
 * `private` (default): a PostgreSQL 15 of our own with deploy/postgresql.conf, as docker-compose runs it, fsync on;
 * `shared`: the machine's server with its defaults (128 MB shared buffers, 1 GB max_wal_size).
 */
const PG = process.env.BENCH_INGEST_PG === 'shared' ? 'shared' : 'private';

function load(
  url: string,
  doors: { propertyId: string; id: string }[],
  perSecond: number,
  seconds: number,
): Promise<{ sent: number; acked: number }> {
  const file = fileURLToPath(new URL('../test/ingest/helpers/door-load.ts', import.meta.url));
  const child = fork(file, [JSON.stringify({ url, doors, perSecond, seconds, clients: CLIENTS })], { execArgv: ['--import', 'tsx'] });
  return new Promise((resolve, reject) => {
    // A publisher that cannot get its acknowledgements (overloaded broker) must not hang the benchmark.
    const guard = setTimeout(() => child.kill('SIGKILL'), (seconds * 3 + 30) * 1000);
    child.once('message', (m) => {
      clearTimeout(guard);
      resolve(m as { sent: number; acked: number });
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(guard);
      reject(new Error(`load generator ended (${code ?? signal}) before reporting`));
    });
  });
}

/**
 * Publish → commit latency of events published from `measureFrom` on (earlier ones are the warm-up: JIT, first
 * connections and partitions), and commits counted from then on for the sustained rate.
 */
class Latencies {
  private readonly ms: number[] = [];
  /** Worst latency and commits per second of the measured window, to see where a tail comes from. */
  readonly perSecond = new Map<number, { n: number; max: number }>();
  count = 0;
  measured = 0;
  lastAt = 0;
  constructor(private readonly measureFrom = 0) {}
  add(events: readonly { ts: string }[]): void {
    const now = Date.now();
    this.count += events.length;
    if (now < this.measureFrom) return;
    this.measured += events.length;
    const sec = Math.floor((now - this.measureFrom) / 1000);
    const b = this.perSecond.get(sec) ?? { n: 0, max: 0 };
    this.perSecond.set(sec, b);
    for (const e of events) {
      const ts = Date.parse(e.ts);
      if (ts < this.measureFrom) continue;
      this.ms.push(now - ts);
      b.n++;
      if (now - ts > b.max) b.max = now - ts;
    }
    this.lastAt = now;
  }
  /** Commits per second from `measureFrom` to the last commit. */
  get rate(): number {
    return (this.measured / Math.max(1, this.lastAt - this.measureFrom)) * 1000;
  }
  /** The seconds whose worst latency was highest, as "second:max ms". */
  worstSeconds(k: number): string {
    return [...this.perSecond]
      .sort((a, b) => b[1].max - a[1].max)
      .slice(0, k)
      .map(([s, b]) => `${s}s:${b.max}ms`)
      .join(' ');
  }
  pct(p: number): number {
    const s = [...this.ms].sort((a, b) => a - b);
    return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
  }
}

const progress = (text: string) => process.stderr.write(`  ${text}\n`);
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export async function run(): Promise<Row[]> {
  return runDoors();
}

async function runDoors(): Promise<Row[]> {
  const server =
    PG === 'private'
      ? await startPostgres({ durable: true, settings: readPgConf(fileURLToPath(new URL('../deploy/postgresql.conf', import.meta.url))) })
      : undefined;
  const [t, broker] = await Promise.all([freshPgDb({ poolSize: 6, adminUrl: server?.url }), startMosquitto()]);
  const pgNote = server ? 'own PostgreSQL 15 with deploy/postgresql.conf, fsync on' : "the machine's PostgreSQL 15 with its defaults";
  try {
    const city = await importTestCity(t.db, { doors: 200, cameras: 20 });
    const doors = city.doors.map((d) => ({ propertyId: d.propertyId, id: d.id }));
    const repo = new DoorEventsRepository(t.db);

    const measure = async (rate: number): Promise<Row> => {
      // Gridwatch door intake: validate, batch, commit, publish on the bus, then PUBACK.
      const before = await repo.count();
      // The product's batching settings pass through, so they can be tried here.
      const batching = Object.fromEntries(
        ['WRITE_BATCH_SIZE', 'WRITE_BATCH_DELAY'].flatMap((k) => (process.env[k] ? [[k, process.env[k]!]] : [])),
      );
      const clientId = `gw-bench-ingest-${rate}`;
      const ctx = await testContext(
        t.db,
        broker.url,
        { DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gw-bench-')), ...batching },
        { clientId },
      );
      // The clock starts once the intake is subscribed; the window after the warm-up is measured.
      let lat = new Latencies();
      const intake = new DoorIntake(ctx, { onCommitted: (b) => lat.add(b) });
      await intake.start();
      lat = new Latencies(Date.now() + WARMUP * 1000);
      const cpu0 = process.cpuUsage();
      progress(`ingest: offering ${rate}/s for ${WARMUP} s warm-up + ${SECONDS} s`);
      const sent = await load(broker.url, doors, rate, WARMUP + SECONDS);
      const drainUntil = Date.now() + 30_000;
      while (lat.count < sent.sent && Date.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
      // This process is the intake (and the latency bookkeeping): its CPU per committed event.
      const cpu = process.cpuUsage(cpu0);
      const cpuPerEvent = (cpu.user + cpu.system) / Math.max(1, lat.count);
      progress(`ingest: ${lat.count} committed of ${sent.sent}; worst seconds ${lat.worstSeconds(8)}`);
      const stats = intake.stats();
      await intake.stop();
      await ctx.bus.close();
      // The intake's session is persistent on purpose; left behind, the broker would queue every later run's
      // messages for it and write them all at each autosave (a stall growing every 10 s in the next run).
      await (await mqtt.connectAsync(broker.url, { clientId, clean: true, protocolVersion: 5 })).endAsync();
      const stored = (await repo.count()) - before;
      return {
        name: `door events MQTT → PG15 committed, QoS 1, ${fmt(rate)}/s offered for ${SECONDS} s after ${WARMUP} s warm-up (${CLIENTS} publishers, 200 doors)`,
        value: `${fmt(lat.rate)} events/s, p99 ${fmt(lat.pct(99))} ms (p50 ${fmt(lat.pct(50))} ms)`,
        target: rate === RATE ? '≥ 20,000 events/s, p99 < 250 ms' : '',
        note: `${fmt(stored)} stored of ${fmt(sent.sent)} sent; ${stats.duplicates} duplicates; ingest CPU ${cpuPerEvent.toFixed(1)} µs/event; load average ${loadavg()[0].toFixed(1)}; publish → commit, then on the bus (one message per batch) before PUBACK; ${pgNote}`,
      };
    };
    const rows = [await measure(RATE)];
    // The same run above the target: how much room is left, and how latency grows as the machine fills.
    if (HEADROOM_RATE > 0 && HEADROOM_RATE !== RATE) rows.push(await measure(HEADROOM_RATE));
    const limits = { maxPayload: 1024 * 1024, maxAgeMs: 30 * 86_400_000, maxAheadMs: 600_000 };

    // Naive peer: one INSERT per message, the PUBACK after it, messages handled one after another.
    const naiveLat = new Latencies();
    const naive = await mqtt.connectAsync(broker.url, { clientId: 'gw-bench-naive', clean: true, protocolVersion: 5 });
    naive.handleMessage = (packet: IPublishPacket, done) => {
      const r = decodeDoorMessage(packet.topic, packet.payload as Buffer, limits, new Date());
      if (!r.ok) return done();
      repo.insertMany([r.event]).then(() => {
        naiveLat.add([r.event]);
        done();
      }, done);
    };
    await naive.subscribeAsync('access/+/+/events', { qos: 1 });
    progress(`naive: offering ${RATE}/s for ${NAIVE_SECONDS} s`);
    const naiveStart = Date.now();
    const naiveSent = await load(broker.url, doors, RATE, NAIVE_SECONDS);
    const naiveEnd = Date.now();
    const naiveCommitted = naiveLat.count;
    await naive.endAsync(true);
    const naiveRate = (naiveCommitted / (naiveEnd - naiveStart)) * 1000;

    return [
      ...rows,
      {
        name: `door events, naive peer (one INSERT per message, ack after), same offered load for ${NAIVE_SECONDS} s`,
        value: `${fmt(naiveRate)} events/s, p99 ${fmt(naiveLat.pct(99))} ms`,
        note: `${fmt(naiveCommitted)} committed of ${fmt(naiveSent.sent)} sent in the window (the rest backs up in the broker); ${pgNote}`,
      },
    ];
  } finally {
    await broker.close();
    await t.close();
    await server?.close();
  }
}
