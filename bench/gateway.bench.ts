// Issue 7's rows: /api/v1/cameras latency with 10,000 cameras over real HTTP, and alert delivery from the bus
// to 500 connected socket.io clients (PostgreSQL and Mosquitto on this machine, one gateway process).
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type { Row } from './main.ts';
import type { Alert } from '../core/events/index.ts';
import { httpLoad, socketCrowd } from './gateway-clients.ts';
import { gatewayTest, type GatewayTest } from '../test/gateway/gateway-context.ts';

const CAMERAS = 10_000;
const REQUESTS = Number(process.env.BENCH_GATEWAY_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_GATEWAY_CONCURRENCY ?? 4);
const CLIENTS = Number(process.env.BENCH_GATEWAY_CLIENTS ?? 500);
const ALERTS = Number(process.env.BENCH_GATEWAY_ALERTS ?? 40);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const ms = (v: number) => `${v.toFixed(1)} ms`;

function baseUrl(t: GatewayTest): string {
  const a = t.app.server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

async function camerasRows(t: GatewayTest): Promise<Row[]> {
  const base = baseUrl(t);
  const admin = await t.login('admin');
  const monitor = await t.login('monitor1');
  const pages = CAMERAS / 50;
  // Every page of the list, in a shuffled but fixed order; and the monitor's filtered, sorted pages.
  const plainUrls = Array.from({ length: pages }, (_, k) => `${base}/api/v1/cameras?page=${((k * 37) % pages) + 1}&limit=50`);
  const filteredUrls = Array.from(
    { length: 60 },
    (_, k) => `${base}/api/v1/cameras?status=unknown&priority=${['key', 'normal', 'remote'][k % 3]}&sort=-name&page=${(k % 20) + 1}`,
  );
  await httpLoad(plainUrls, admin, 100, 1); // warm-up: connections, query plans, JIT
  const plain = await httpLoad(plainUrls, admin, REQUESTS, CONCURRENCY);
  const filtered = await httpLoad(filteredUrls, monitor, REQUESTS, CONCURRENCY);
  return [
    {
      name: `/api/v1/cameras p99, ${CAMERAS.toLocaleString('en-US')} cameras (admin, pages of 50)`,
      value: ms(pct(plain, 99)),
      target: '< 50 ms',
      note: `p50 ${ms(pct(plain, 50))}; ${REQUESTS} requests, ${CONCURRENCY} concurrent, HTTP keep-alive, client in a worker thread`,
    },
    {
      name: '/api/v1/cameras p99, monitor scope + status/priority filter + sort by name',
      value: ms(pct(filtered, 99)),
      target: '< 50 ms',
      note: `p50 ${ms(pct(filtered, 50))}; 5,000 cameras in the monitor's district`,
    },
  ];
}

async function deliveryRows(t: GatewayTest): Promise<Row[]> {
  const base = baseUrl(t);
  const token = await t.login('monitor1');
  const crowd = await socketCrowd(base, token, CLIENTS);
  const sentAt = new Map<string, number>();
  try {
    for (let k = 0; k < ALERTS; k++) {
      const a: Alert = {
        alertId: randomUUID(),
        ts: new Date().toISOString(),
        kind: 'door_forced',
        severity: 'high',
        state: 'open',
        title: 'bench',
        subjectKind: 'door',
        subjectId: 'p1-door1',
        propertyId: 'p1',
        place: { district: 'd1' },
        evidence: {},
      };
      sentAt.set(a.alertId, performance.timeOrigin + performance.now());
      await t.ctx.bus.publish('alert', { kind: a.kind }, a);
      await new Promise((r) => setTimeout(r, 100));
    }
    const want = ALERTS * CLIENTS;
    let received = await crowd.report();
    for (const until = Date.now() + 10_000; received.length < want && Date.now() < until; received = await crowd.report())
      await new Promise((r) => setTimeout(r, 100));
    const delays = received
      .filter(([id]) => sentAt.has(id))
      .map(([id, at]) => at - sentAt.get(id)!)
      .sort((a, b) => a - b);
    return [
      {
        name: `alert delivery bus → ${CLIENTS} socket.io clients, p99`,
        value: ms(pct(delays, 99)),
        target: '< 100 ms',
        note: `p50 ${ms(pct(delays, 50))}, max ${ms(delays[delays.length - 1])}; ${delays.length}/${want} delivered; ${ALERTS} alerts 100 ms apart; clients in a worker thread (Mosquitto QoS 1 → gateway → websocket)`,
      },
    ];
  } finally {
    await crowd.close();
  }
}

/** The machine's load when a measurement started: latency figures on a shared box mean little without it. */
const load = () => `load avg ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;

export async function run(): Promise<Row[]> {
  const t = await gatewayTest({ listen: true, camerasPerCell: CAMERAS / 4, env: { LOG_LEVEL: 'silent' } });
  try {
    const before = load();
    const cameras = await camerasRows(t);
    const between = load();
    const delivery = await deliveryRows(t);
    return [
      ...cameras.map((r) => ({ ...r, note: `${r.note}; ${before}` })),
      ...delivery.map((r) => ({ ...r, note: `${r.note}; ${between}` })),
    ];
  } finally {
    await t.close();
  }
}
