// `npm start` on a NATS JetStream bus: every service on `MQTT_URL=nats://…`, the simulated door controllers on
// nats-server's MQTT listener (SIM_DOOR_MQTT_URL), as a cluster deployment runs them. Their events must reach
// door_events through the intake's durable consumer.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureDashboardBuilt } from '../../dashboard/build-if-missing.ts';
import { startAllInOne, type Running } from '../helpers/run.ts';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { NatsCluster } from '../chaos/nats-cluster.ts';
import { portIn } from '../chaos/harness.ts';
import { rangeOf } from '../helpers/port-ranges.ts';
import { until } from '../ingest/helpers/wait.ts';

const PORTS = rangeOf('startNats');
let nats: NatsCluster;
let t: TestDb;
let dataDir: string;
let p: Running | undefined;

beforeAll(async () => {
  await ensureDashboardBuilt();
  [nats, t] = await Promise.all([NatsCluster.start({ size: 1, ports: PORTS }), freshPgDb({ poolSize: 2 })]);
  dataDir = await mkdtemp(path.join(tmpdir(), 'gw-start-nats-'));
}, 180_000);
afterAll(async () => {
  await p?.stop('SIGKILL').catch(() => {});
  await nats?.close();
  await t?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it('when the bus is NATS and the controllers publish on its MQTT listener, then the simulated district runs and its door events are stored', async () => {
  const port = await portIn(PORTS);
  p = startAllInOne(dataDir, port, {
    LOG_LEVEL: 'info',
    DATABASE_URL: t.url!,
    MQTT_URL: nats.url,
    SIMULATE: 'true',
    SIM_DOOR_MQTT_URL: nats.mqttUrl(0),
    SIM_CAMERAS: '8',
    SIM_DOORS: '20',
    SIM_DOOR_RATE: '200',
    SIM_RTSP_STREAMS: '0',
    SIM_SCENARIO: 'off',
    SIM_BACKFILL: 'off',
    GB_SIP_PORT: '0',
  });
  await p.waitFor(/Gridwatch is up/, 120_000);
  const health = (await (await fetch(`http://127.0.0.1:${port}/api/v1/health`)).json()) as {
    components: { simulator: { doors: number } };
  };
  expect(health.components?.simulator, JSON.stringify(health)).toBeDefined();
  expect(health.components.simulator.doors).toBe(20);
  const pool = new pg.Pool({ connectionString: t.url, max: 1 });
  try {
    const stored = await until(
      async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM door_events')).rows[0].n,
      (n) => n >= 20,
      60_000,
      'door events from the simulated controllers',
    );
    expect(stored).toBeGreaterThanOrEqual(20);
  } finally {
    await pool.end();
  }
  expect(p.output()).not.toMatch(/door controllers off/);
  expect(await p.stop('SIGINT')).toBe(0);
}, 240_000);
