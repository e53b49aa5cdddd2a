// Door intake shared by two ingest instances on a 3-node NATS JetStream cluster of the test's own. Door controllers
// publish QoS 1 over nats-server's MQTT listeners and keep every eventId the server acknowledged; mid-stream one NATS
// node and then one ingest instance are SIGKILLed and started again. Every acknowledged id must then be stored in
// door_events exactly once (within the bound after the last restart).
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { NatsCluster } from './nats-cluster.ts';
import { MQTT_STREAM } from '../../core/bus/jetstream-bus.ts';
import { doorIntakeEnv, portIn } from './harness.ts';
import { rangeOf } from '../helpers/port-ranges.ts';
import type { PublisherJob, PublisherResult } from './acked-publisher.ts';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { run, type Running } from '../helpers/run.ts';
import { importTestCity } from '../ingest/helpers/context.ts';
import { publishDoors } from './publisher-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Its own range: the crash test (21000-21999) kills servers whose ports must stay theirs while they are down.
const PORTS = rangeOf('clusterJetstream');
/** Every acknowledged id stored this long after the last restart (as the MQTT crash suite's bound). */
const BOUND_MS = 60_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const children = new Set<ChildProcess>();

const publish = (job: PublisherJob): Promise<PublisherResult> => publishDoors(job, children);

/** Acknowledged ids missing from door_events, and rows beyond one per event id. */
async function count(pool: pg.Pool, ids: string[]): Promise<{ missing: string[]; twice: number }> {
  const r = await pool.query<{ id: string }>(
    'SELECT a.id FROM unnest($1::uuid[]) AS a(id) WHERE NOT EXISTS (SELECT 1 FROM door_events d WHERE d.event_id = a.id)',
    [ids],
  );
  const t = await pool.query<{ twice: number }>('SELECT (count(*) - count(DISTINCT event_id))::int AS twice FROM door_events');
  return { missing: r.rows.map((x) => x.id), twice: t.rows[0].twice };
}

describe('door intake on a NATS JetStream cluster (short)', () => {
  let cluster: NatsCluster;
  let t: TestDb;
  let dataDir: string;
  const ingests: Running[] = [];

  beforeAll(async () => {
    [cluster, t] = await Promise.all([NatsCluster.start({ size: 3, ports: PORTS }), freshPgDb({ poolSize: 2 })]);
    dataDir = mkdtempSync(path.join(tmpdir(), 'gw-cluster-'));
  }, 60_000);
  afterAll(async () => {
    // A run that failed midway leaves its controllers publishing: they would keep the test process alive.
    for (const c of children) c.kill('SIGKILL');
    await Promise.allSettled(ingests.map((i) => i.stop('SIGKILL')));
    await cluster?.close();
    await t?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('when a NATS node and an ingest instance are SIGKILLed mid-stream, then every acknowledged door event is stored exactly once', async () => {
    const city = await importTestCity(t.db, { doors: 100, cameras: 1 });
    const env = async (n: number) =>
      doorIntakeEnv({
        databaseUrl: t.url!,
        busUrl: cluster.url,
        clientId: `gw-cluster-ingest-${n}`,
        dataDir: path.join(dataDir, `ingest-${n}`),
        port: await portIn(PORTS),
      });
    const envs = [await env(0), await env(1)];
    const start = (n: number) => {
      const r = run(process.execPath, ['--import', 'tsx', 'ingest/main.ts'], envs[n], ROOT);
      ingests[n] = r;
      return r.waitFor(/ingest running/, 60_000);
    };
    // The intake's durable consumer exists once an instance is up: published events are kept for it from then on.
    await start(0);
    await start(1);
    const doors = city.doors.map((d) => ({ propertyId: d.propertyId, id: d.id }));
    const job = (node: number, file: string) =>
      cluster.doorJob(node, { doors, perSecond: 400, seconds: 16, clients: 2, ackedFile: path.join(dataDir, file), drainMs: BOUND_MS });
    // Controllers on two nodes' MQTT listeners; the one killed below may be either or neither.
    const t0 = Date.now();
    const published = Promise.all([publish(job(0, 'acked-0.txt')), publish(job(1, 'acked-1.txt'))]);
    await sleep(4000);
    // The node leading $MQTT_msgs, which every door event is written to (node 0 if the leader is not known).
    const victim = Math.max(0, await cluster.leaderOf(MQTT_STREAM));
    await cluster.killNode(victim);
    await sleep(3000);
    await cluster.startNode(victim);
    await sleep(1000);
    await ingests[0].stop('SIGKILL');
    await sleep(2000);
    await start(0);
    const lastRestart = Date.now();
    const results = await published;
    const streamEnd = Date.now();
    const ids = ['acked-0.txt', 'acked-1.txt'].flatMap((f) => readFileSync(path.join(dataDir, f), 'utf8').split('\n').filter(Boolean));
    const offered = results.reduce((a, r) => a + r.offered, 0);
    // Both sides of both crashes acknowledged something, or the run proves nothing.
    expect(ids.length).toBeGreaterThan(offered * 0.5);
    const pool = new pg.Pool({ connectionString: t.url, max: 2 });
    try {
      let c = await count(pool, ids);
      while (c.missing.length > 0 && Date.now() < lastRestart + BOUND_MS) {
        await sleep(500);
        c = await count(pool, ids);
      }
      const reconnects = results.reduce((a, r) => a + r.reconnects, 0);
      console.log(
        `cluster run (node ${victim} killed): ${offered} offered, ${ids.length} acknowledged, ${reconnects} publisher reconnects, publishers done ${((streamEnd - t0) / 1000).toFixed(1)} s after start, all stored ${((Date.now() - lastRestart) / 1000).toFixed(1)} s after the last restart`,
      );
      expect({ acked: ids.length, missing: c.missing.length, sample: c.missing.slice(0, 3), twice: c.twice }).toEqual({
        acked: ids.length,
        missing: 0,
        sample: [],
        twice: 0,
      });
    } finally {
      await pool.end();
    }
  }, 150_000);
});
