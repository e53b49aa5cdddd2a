// Parts of the whole-city cluster test (cluster-city.test.ts): a Redis of its own for the gateways' socket.io adapter,
// service processes (analytics/main.ts, gateway/main.ts) that can be SIGKILLed and started again, a logged-in live
// client, and the database checks (heartbeat gaps per camera, one camera's outages, tickets and alerts).
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../core/socket/events.ts';
import { run, groupGone, type Running } from '../helpers/run.ts';
import { waitForPort } from '../ingest/helpers/mosquitto.ts';
import type { NatsCluster } from './nats-cluster.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A Redis without persistence (the adapter keeps nothing in it) on a port of the test's own. */
export async function startRedis(port: number): Promise<{ url: string; close(): Promise<void> }> {
  const child: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  await waitForPort(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

const SERVICES = {
  analytics: { file: 'analytics/main.ts', ready: /analytics worker running/ },
  gateway: { file: 'gateway/main.ts', ready: /"service":"gateway"[^\n]*"msg":"service started"/ },
} as const;

/** One service process; `restart()` after `kill()` starts it again with the same settings (the same durable names). */
export class ServiceProcess {
  proc: Running;
  private constructor(
    readonly kind: keyof typeof SERVICES,
    readonly env: Record<string, string>,
  ) {
    this.proc = run(process.execPath, ['--import', 'tsx', SERVICES[kind].file], env, ROOT);
  }

  static async start(kind: keyof typeof SERVICES, env: Record<string, string>): Promise<ServiceProcess> {
    const s = new ServiceProcess(kind, env);
    await s.ready();
    return s;
  }

  ready(): Promise<unknown> {
    return this.proc.waitFor(SERVICES[this.kind].ready, 120_000);
  }

  /** SIGKILL to the whole process group, as in a crash; resolves once none of it is left. */
  async kill(): Promise<void> {
    const pid = this.proc.child.pid!;
    await this.proc.stop('SIGKILL');
    const until = Date.now() + 5000;
    while (!groupGone(pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }

  async restart(): Promise<void> {
    this.proc = run(process.execPath, ['--import', 'tsx', SERVICES[this.kind].file], this.env, ROOT);
    await this.ready();
  }

  stop(): Promise<number | null> {
    return this.proc.stop('SIGKILL');
  }
}

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Logs in on a gateway and connects its live push; `alerts` collects every alert pushed to it (camera id, alert id). */
export async function liveClient(
  baseUrl: string,
  username: string,
  password: string,
): Promise<{ socket: LiveSocket; alerts: { subjectId: string; alertId: string; at: number }[] }> {
  const r = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${await r.text()}`);
  const { token } = (await r.json()) as { token: string };
  const socket: LiveSocket = io(baseUrl, { auth: { token }, transports: ['websocket'], forceNew: true });
  const alerts: { subjectId: string; alertId: string; at: number }[] = [];
  socket.on('alert', (a) => alerts.push({ subjectId: a.subjectId, alertId: a.alertId, at: Date.now() }));
  await new Promise<void>((resolve, reject) => {
    socket.once('ready', () => resolve());
    socket.once('connect_error', reject);
  });
  return { socket, alerts };
}

export interface HeartbeatGap {
  camera: string;
  /** Longest time in the window without a heartbeat row of the camera (between rows, or from the window's edges). */
  gapMs: number;
  at: string;
}

/** Per camera, the longest stretch in [from, to] without a heartbeat row in camera_health (longest first). */
export async function heartbeatGaps(pool: pg.Pool, cameras: string[], from: Date, to: Date): Promise<HeartbeatGap[]> {
  const r = await pool.query<{ camera: string; gap_ms: number; at: Date }>(
    `WITH beats AS (
       SELECT c.id AS camera, b.ts
         FROM unnest($1::text[]) AS c(id)
         CROSS JOIN LATERAL (
           SELECT ts FROM camera_health h WHERE h.camera_id = c.id AND h.kind = 'heartbeat' AND h.ts BETWEEN $2 AND $3
           UNION ALL SELECT $2::timestamptz UNION ALL SELECT $3::timestamptz) b),
     gaps AS (
       SELECT camera, ts, ts - lag(ts) OVER (PARTITION BY camera ORDER BY ts) AS gap FROM beats)
     SELECT DISTINCT ON (camera) camera, (extract(epoch FROM gap) * 1000)::int AS gap_ms, ts AS at
       FROM gaps WHERE gap IS NOT NULL ORDER BY camera, gap DESC`,
    [cameras, from, to],
  );
  return r.rows.map((x) => ({ camera: x.camera, gapMs: x.gap_ms, at: x.at.toISOString() })).sort((a, b) => b.gapMs - a.gapMs);
}

/** A camera's outages (and when the first began), repair tickets and the ids of its outages' alerts (by dedup key). */
export async function outageOf(
  pool: pg.Pool,
  camera: string,
): Promise<{ outages: number; since?: Date; tickets: number; alertIds: string[] }> {
  const r = await pool.query<{ outages: number; since: Date | null; tickets: number; alert_ids: string[] }>(
    `SELECT (SELECT count(*)::int FROM outages o WHERE o.camera_id = $1) AS outages,
            (SELECT min(start_ts) FROM outages o WHERE o.camera_id = $1) AS since,
            (SELECT count(*)::int FROM repair_tickets t WHERE t.camera_id = $1) AS tickets,
            (SELECT coalesce(array_agg(a.alert_id::text ORDER BY a.alert_id), '{}') FROM alerts a
               JOIN outages o ON a.dedup_key = 'outage:' || o.outage_id WHERE o.camera_id = $1) AS alert_ids`,
    [camera],
  );
  const o = r.rows[0];
  return { outages: o.outages, since: o.since ?? undefined, tickets: o.tickets, alertIds: o.alert_ids };
}

/** Acknowledged door event ids missing from door_events, and rows beyond one per event id. */
export async function doorEventsStored(pool: pg.Pool, ids: string[]): Promise<{ missing: string[]; twice: number }> {
  const r = await pool.query<{ id: string }>(
    'SELECT a.id FROM unnest($1::uuid[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM door_events d WHERE d.event_id = a.id)',
    [ids],
  );
  const t = await pool.query<{ twice: number }>('SELECT (count(*) - count(DISTINCT event_id))::int AS twice FROM door_events');
  return { missing: r.rows.map((x) => x.id), twice: t.rows[0].twice };
}

export { publishDoors } from './publisher-process.ts';

/**
 * Makes one node lead both streams (so that killing it takes both leaders at once): asks `follower`'s leader to step
 * down until the election lands on the node leading `stream`. Returns that node (or -1 when it did not happen).
 */
export async function leaderOfBoth(cluster: NatsCluster, stream: string, follower: string, tries = 12): Promise<number> {
  const nc = await connect({ servers: cluster.nodes.map((n) => `127.0.0.1:${n.clientPort}`) });
  try {
    for (let i = 0; i < tries; i++) {
      const [a, b] = [await cluster.leaderOf(stream), await cluster.leaderOf(follower)];
      if (a >= 0 && a === b) return a;
      if (b >= 0) await nc.request(`$JS.API.STREAM.LEADER.STEPDOWN.${follower}`, '', { timeout: 5000 });
      // Until the stream has a leader again.
      const until = Date.now() + 15_000;
      while (Date.now() < until && (await cluster.leaderOf(follower).catch(() => -1)) < 0) await new Promise((r) => setTimeout(r, 100));
    }
    return -1;
  } finally {
    await nc.close();
  }
}
