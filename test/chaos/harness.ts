// The crash suite's runner: its own Mosquitto (deploy/mosquitto.conf) and PostgreSQL 15 (deploy/postgresql.conf,
// fsync on), ingest as its own process, door controllers publishing QoS 1 at a fixed rate; one part is SIGKILLed
// mid-stream and started again, then every eventId the broker acknowledged is looked up in door_events.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import pg from 'pg';
import { run, groupGone, type Running } from '../helpers/run.ts';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { startMosquitto, type TestBroker } from '../ingest/helpers/mosquitto.ts';
import { readPgConf, startPostgres, type TestPostgres } from '../ingest/helpers/postgres.ts';
import { importTestCity } from '../ingest/helpers/context.ts';
import type { PublisherJob, PublisherResult } from './acked-publisher.ts';
import { NatsCluster } from './nats-cluster.ts';
import { publishDoors } from './publisher-process.ts';

export type Target = 'nothing' | 'broker' | 'postgres' | 'ingest' | 'analytics' | 'gateway' | 'redis';

export interface Scenario {
  target: Target;
  /** Offered door events per second. */
  rate: number;
  seconds: number;
  /** Seconds into the stream at which the target is SIGKILLed (several = several crashes in one run). */
  killAt: number[];
  /** How long the target stays down. */
  downMs?: number;
  /** Ports are taken from this range (each engineer on the machine has their own). */
  ports?: [number, number];
  /** After the last restart, every acknowledged id must be stored within this time: the suite's bound. */
  boundMs?: number;
  /** What runs the intake: ingest alone (`npm run ingest`) or the all-in-one (`npm start`, every service on one bus). */
  process?: 'ingest' | 'all-in-one';
  /** The all-in-one with its embedded broker (aedes, MQTT 3.1.1) instead of Mosquitto; the database stays PostgreSQL. */
  embedded?: boolean;
  /**
   * `mid-batch`: from each kill time on, wait until the intake has a write of door_events open in PostgreSQL (seen
   * in pg_stat_activity) and kill then. Default: at the time.
   */
  moment?: 'mid-batch';
  /**
   * A Mosquitto of its own for this run, started just before the intake (no saved state yet): a kill in its first
   * `autosave_interval` seconds is a kill before its first autosave. `brokerSettings` override deploy/mosquitto.conf.
   */
  freshBroker?: boolean;
  brokerSettings?: Record<string, string>;
  /**
   * `nats`: the broker is a nats-server of the run's own (JetStream, one node, its MQTT listener for the controllers);
   * ingest and its companions run on the JetStream bus (`MQTT_URL=nats://…`). Default: Mosquitto.
   */
  broker?: 'mosquitto' | 'nats';
  log?: (line: string) => void;
}

export interface Outcome {
  scenario: string;
  offered: number;
  acked: number;
  /** Acknowledged ids found in door_events (distinct). */
  stored: number;
  lost: number;
  /** Rows beyond one per event id. */
  twice: number;
  /** ms from the last restart (or the end of the stream) until every acknowledged id was stored. */
  settledMs: number;
  reconnects: number;
  lostSample: string[];
  /** Per kill: seconds since the broker started (fresh broker), or whether a batch was open (mid-batch). */
  killNotes: string[];
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A free TCP port in [lo, hi]. */
export async function portIn([lo, hi]: [number, number]): Promise<number> {
  const start = lo + Math.floor(Math.random() * (hi - lo));
  for (let i = 0; i <= hi - lo; i++) {
    const port = lo + ((start - lo + i) % (hi - lo + 1));
    const ok = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error(`no free port in ${lo}-${hi}`);
}

export function describeScenario(s: Scenario): string {
  const at = s.killAt.map((x) => `${x}s`).join(' and ');
  const what =
    (s.broker === 'nats' ? ' [NATS JetStream]' : '') +
    (s.embedded ? ' [all-in-one, embedded broker]' : s.process === 'all-in-one' ? ' [all-in-one]' : '') +
    (s.moment ? ` [${s.moment}]` : '') +
    (s.freshBroker ? ' [before the first autosave]' : '') +
    (s.brokerSettings
      ? ` [${Object.entries(s.brokerSettings)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}]`
      : '');
  return s.target === 'nothing'
    ? `nothing killed, ${s.rate}/s × ${s.seconds} s${what}`
    : `${s.target} SIGKILL at ${at}, ${s.rate}/s × ${s.seconds} s${what}`;
}

/** The servers a run needs, started once and shared by several runs (each run has its own database and sessions). */
export class Parts {
  private constructor(
    readonly broker: TestBroker,
    readonly pg: TestPostgres,
    readonly ports: [number, number],
  ) {}

  static async start(ports: [number, number] = [21000, 21999]): Promise<Parts> {
    const pgPort = await portIn(ports);
    const postgres = await startPostgres({
      durable: true,
      port: pgPort,
      settings: { ...readPgConf(path.join(ROOT, 'deploy/postgresql.conf')), shared_buffers: '256MB' },
    });
    const broker = await startMosquitto({ port: await portIn(ports) });
    return new Parts(broker, postgres, ports);
  }

  async close(): Promise<void> {
    await this.broker.close().catch(() => {});
    await this.pg.close().catch(() => {});
  }
}

/**
 * The settings of an ingest that only takes door events (the crash suite, the cluster test, the bus bench): no
 * discovery rounds beyond loopback, no simulated city, no GB/T 28181 server, its own HTTP port.
 */
export function doorIntakeEnv(o: {
  databaseUrl: string;
  busUrl: string;
  clientId: string;
  dataDir: string;
  port: number;
}): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    MQTT_URL: o.busUrl,
    MQTT_CLIENT_ID: o.clientId,
    DATA_DIR: o.dataDir,
    LOG_LEVEL: 'info',
    DISCOVERY_INTERVAL: '1h',
    DISCOVERY_INTERFACE: 'lo',
    SIMULATE: 'false',
    GB_SIP_PORT: '0',
    PORT: String(o.port),
  };
}

const READY = { ingest: /ingest running/, 'all-in-one': /Gridwatch is up/ };

/** Services started beside the intake when the run kills one of them (the intake must not notice). */
const COMPANION = {
  analytics: { file: 'analytics/main.ts', ready: /analytics worker running/ },
  gateway: { file: 'gateway/main.ts', ready: /"service":"gateway"[^\n]*"msg":"service started"/ },
} as const;

function startCompanion(kind: keyof typeof COMPANION, env: NodeJS.ProcessEnv): Running {
  return run(process.execPath, ['--import', 'tsx', COMPANION[kind].file], env, ROOT);
}

/** A Redis of its own (no persistence: the gateway keeps nothing in it), SIGKILLed and started again by the run. */
class TestRedis {
  private child?: ChildProcess;
  constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const { waitForPort } = await import('../ingest/helpers/mosquitto.ts');
    await waitForPort(this.port);
  }
  async kill(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  }
}

/** Waits (up to 5 s) until a backend of `url`'s database is writing door_events; true when one was seen. */
async function waitForOpenBatch(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const until = Date.now() + 5000;
    while (Date.now() < until) {
      const r = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND state IN ('active', 'idle in transaction') AND query ILIKE '%door_events%'`,
      );
      if (r.rows[0].n > 0) return true;
    }
    return false;
  } finally {
    await c.end().catch(() => {});
  }
}

function startIngest(env: NodeJS.ProcessEnv, kind: 'ingest' | 'all-in-one'): Running {
  return run(
    process.execPath,
    ['--max-semi-space-size=32', '--import', 'tsx', kind === 'ingest' ? 'ingest/main.ts' : 'main.ts'],
    env,
    ROOT,
  );
}

const publish = (job: PublisherJob): Promise<PublisherResult> => publishDoors(job);

/**
 * Ends a persistent session left on the shared broker by a process this run killed: its subscriptions would otherwise
 * keep queueing every later run's messages (up to max_queued_messages each) until the broker itself stalls.
 */
async function dropSession(url: string, clientId: string): Promise<void> {
  const c = await mqtt.connectAsync(url, {
    clientId,
    clean: true,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 0 },
    reconnectPeriod: 0,
    connectTimeout: 10_000,
  });
  await c.endAsync();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Distinct acknowledged ids found, and rows beyond one per id, in door_events. */
async function count(db: pg.Pool, ids: string[]): Promise<{ found: number; twice: number; missing: string[] }> {
  let found = 0;
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i += 50_000) {
    const chunk = ids.slice(i, i + 50_000);
    const r = await db.query<{ id: string }>(
      'SELECT a.id FROM unnest($1::uuid[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM door_events d WHERE d.event_id = a.id)',
      [chunk],
    );
    found += chunk.length - r.rows.length;
    for (const x of r.rows) missing.push(x.id);
  }
  const t = await db.query<{ twice: number }>('SELECT (count(*) - count(DISTINCT event_id))::int AS twice FROM door_events');
  return { found, twice: t.rows[0].twice, missing };
}

/** One run of the matrix: returns its figures (the caller decides pass or fail). */
export async function runScenario(parts: Parts, s: Scenario): Promise<Outcome> {
  const log = s.log ?? (() => {});
  const downMs = s.downMs ?? 4000;
  const boundMs = s.boundMs ?? 60_000;
  const name = describeScenario(s);
  let t: TestDb | undefined;
  let ingest: Running | undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-chaos-'));
  const pool = () => new pg.Pool({ connectionString: t!.url, max: 2 });
  let reader: pg.Pool | undefined;
  let fresh: TestBroker | undefined;
  let nats: NatsCluster | undefined;
  let redis: TestRedis | undefined;
  const companions = new Map<keyof typeof COMPANION, Running>();
  const killNotes: string[] = [];
  const sessions: string[] = [];
  let sessionBroker: string | undefined;
  try {
    t = await freshPgDb({ adminUrl: parts.pg.url, poolSize: 2 });
    const city = await importTestCity(t.db, { doors: 200, cameras: 1 });
    await t.db.close();
    const clientId = `gw-chaos-ingest-${Math.random().toString(36).slice(2, 8)}`;
    const embeddedPort = s.embedded ? await portIn(parts.ports) : 0;
    if (s.broker === 'nats') nats = await NatsCluster.start({ size: 1, ports: parts.ports });
    else if (s.freshBroker) fresh = await startMosquitto({ port: await portIn(parts.ports), settings: s.brokerSettings });
    const broker: Pick<TestBroker, 'url' | 'kill' | 'start'> = nats
      ? {
          url: nats.url,
          kill: () => nats!.killNode(0),
          start: async () => {
            await nats!.startNode(0);
            await nats!.waitForJetStream();
          },
        }
      : (fresh ?? parts.broker);
    const brokerStarted = Date.now();
    const brokerUrl = s.embedded ? `mqtt://127.0.0.1:${embeddedPort}` : nats ? nats.mqttUrl(0) : broker.url;
    const env = {
      ...doorIntakeEnv({
        databaseUrl: t.url!,
        busUrl: s.embedded ? '' : broker.url,
        clientId,
        dataDir,
        port: await portIn(parts.ports),
      }),
      ...(s.embedded ? { MQTT_EMBEDDED_PORT: String(embeddedPort) } : {}),
    };
    const kind = s.embedded ? 'all-in-one' : (s.process ?? 'ingest');
    if (!s.embedded && !s.freshBroker && !nats) sessionBroker = broker.url;
    sessions.push(clientId, `${clientId}-analytics`, `${clientId}-gateway`);
    ingest = startIngest(env, kind);
    await ingest.waitFor(READY[kind], 120_000);
    const intakeUp = Date.now();
    // An analytics worker (it consumes the intake's doorEvents) and a gateway on Redis, when one of them is the target.
    if (s.target === 'gateway' || s.target === 'redis') {
      redis = new TestRedis(await portIn(parts.ports));
      await redis.start();
    }
    const envPorts = { analytics: await portIn(parts.ports), gateway: await portIn(parts.ports) };
    const companionEnv = (kind: keyof typeof COMPANION) => ({
      ...env,
      MQTT_CLIENT_ID: `${clientId}-${kind}`,
      PORT: String(envPorts[kind]),
      LIVE_CHANNEL: `gw-chaos-${clientId}`,
      ...(redis ? { REDIS_URL: redis.url } : {}),
    });
    const wanted: (keyof typeof COMPANION)[] =
      s.target === 'analytics' ? ['analytics'] : s.target === 'gateway' || s.target === 'redis' ? ['gateway'] : [];
    for (const k of wanted) {
      const c = startCompanion(k, companionEnv(k));
      companions.set(k, c);
      await c.waitFor(COMPANION[k].ready, 120_000);
    }
    const ackedFile = path.join(dataDir, 'acked.txt');
    const doors = city.doors.map((d) => ({ propertyId: d.propertyId, id: d.id }));
    const job: PublisherJob = {
      url: brokerUrl,
      doors,
      perSecond: s.rate,
      seconds: s.seconds,
      clients: 4,
      // aedes and nats-server's MQTT listener speak 3.1.1.
      protocolVersion: s.embedded || nats ? 4 : 5,
      ackedFile,
      drainMs: boundMs,
    };
    log(`${name}: publishing`);
    const published = publish(job);
    const t0 = Date.now();
    let lastRestart = 0;
    for (const at of s.killAt) {
      await sleep(Math.max(0, t0 + at * 1000 - Date.now()));
      if (s.moment === 'mid-batch') killNotes.push((await waitForOpenBatch(t.url!)) ? 'batch open' : 'no batch seen in 5 s');
      if (s.freshBroker)
        killNotes.push(
          `broker up ${((Date.now() - brokerStarted) / 1000).toFixed(1)} s, intake subscribed ${((Date.now() - intakeUp) / 1000).toFixed(1)} s before`,
        );
      log(`${name}: SIGKILL ${s.target} at ${((Date.now() - t0) / 1000).toFixed(1)} s ${killNotes.at(-1) ?? ''}`);
      if (s.target === 'broker') await broker.kill();
      else if (s.target === 'postgres') await parts.pg.kill();
      else if (s.target === 'redis') await redis!.kill();
      else if (s.target === 'analytics' || s.target === 'gateway') {
        const c = companions.get(s.target)!;
        const pid = c.child.pid!;
        await c.stop('SIGKILL');
        const until = Date.now() + 5000;
        while (!groupGone(pid) && Date.now() < until) await sleep(20);
      } else if (s.target === 'ingest') {
        const pid = ingest.child.pid!;
        await ingest.stop('SIGKILL');
        const until = Date.now() + 5000;
        while (!groupGone(pid) && Date.now() < until) await sleep(20);
      }
      await sleep(downMs);
      if (s.target === 'broker') await broker.start();
      else if (s.target === 'postgres') await parts.pg.start();
      else if (s.target === 'redis') await redis!.start();
      else if (s.target === 'analytics' || s.target === 'gateway') {
        const c = startCompanion(s.target, companionEnv(s.target));
        companions.set(s.target, c);
        await c.waitFor(COMPANION[s.target].ready, 120_000);
      } else if (s.target === 'ingest') {
        ingest = startIngest(env, kind);
        await ingest.waitFor(READY[kind], 120_000);
      }
      lastRestart = Date.now();
      log(`${name}: ${s.target} back at ${((lastRestart - t0) / 1000).toFixed(1)} s`);
    }
    const result = await published;
    const streamEnd = Date.now();
    const ids = readFileSync(ackedFile, 'utf8').split('\n').filter(Boolean);
    log(`${name}: ${result.offered} offered, ${result.acked} acknowledged (${ids.length} ids), ${result.reconnects} publisher reconnects`);
    reader = pool();
    // Every acknowledged id must be stored within the bound after the last restart (or after the stream ended).
    const from = Math.max(lastRestart, streamEnd - s.seconds * 1000);
    let c = await count(reader, ids);
    let shown = Date.now();
    while (c.found < ids.length && Date.now() < Math.max(from + boundMs, streamEnd + 5000)) {
      await sleep(500);
      c = await count(reader, ids);
      if (Date.now() - shown >= 5000) {
        shown = Date.now();
        log(
          `${name}: ${c.found} of ${ids.length} acknowledged ids stored, ${((shown - (lastRestart || streamEnd)) / 1000).toFixed(0)} s after the restart`,
        );
      }
    }
    const settledMs = Date.now() - (lastRestart || streamEnd);
    // Stored twice shows up late (a redelivery after the check): give the intake a moment to settle.
    if (ingest) log(`${name}: ingest output tail: ${ingest.output().slice(-600).replace(/\n/g, ' | ')}`);
    // A run that lost something keeps the whole output of its processes for a look (CHAOS_KEEP_LOGS=dir).
    if (c.found < ids.length && process.env.CHAOS_KEEP_LOGS) {
      const base = path.join(process.env.CHAOS_KEEP_LOGS, name.replace(/[^\w]+/g, '-'));
      if (ingest) writeFileSync(`${base}.ingest.log`, ingest.output());
      for (const [k, p] of companions) writeFileSync(`${base}.${k}.log`, p.output());
      log(`${name}: logs kept in ${base}.*.log`);
    }
    return {
      scenario: name,
      offered: result.offered,
      acked: ids.length,
      stored: c.found,
      lost: ids.length - c.found,
      twice: c.twice,
      settledMs,
      reconnects: result.reconnects,
      lostSample: c.missing.slice(0, 5),
      killNotes,
    };
  } finally {
    await reader?.end().catch(() => {});
    await ingest?.stop('SIGKILL').catch(() => {});
    for (const c of companions.values()) await c.stop('SIGKILL').catch(() => {});
    if (sessionBroker) for (const id of sessions) await dropSession(sessionBroker, id).catch(() => {});
    await redis?.kill().catch(() => {});
    await fresh?.close().catch(() => {});
    await nats?.close().catch(() => {});
    await t?.close().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  }
}
