// Done-when of the GB/T 28181 issue, against a peer no one here wrote: sipp (Debian sip-tester) plays a GB device
// against the all-in-one start on a fresh PostgreSQL — REGISTER with digest, keepalives, DeviceInfo, ConfigDownload
// and a two-page Catalog answered as a device sends them. Its channels appear in GET /api/v1/cameras on the grid;
// stopping the keepalives opens a repair ticket, resuming them resolves it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { run, type Running } from '../helpers/run.ts';
import { importTestCity } from '../ingest/helpers/context.ts';
import { until } from '../ingest/helpers/wait.ts';
import { freeSipPort } from './sip-port.ts';

const SERVER_ID = '35030000002000000001';
const DOMAIN = '3503000000';
const PASSWORD = 'sipp-gb-password';
const ADMIN = 'sipp-admin-password';
// A Chengxiang (350302) NVR of grassroots unit 01 with two camera channels (type 131).
const DEV = '35030201001180000901';
const CH1 = '35030201001310000901';
const CH2 = '35030201001310000902';

const dir = mkdtempSync(path.join(tmpdir(), 'gw-sipp-'));

function scenario(name: string, keepalives: number): string {
  const file = path.join(dir, `${name}-${keepalives}.xml`);
  const text = readFileSync(path.join(import.meta.dirname, 'sipp', `${name}.xml`), 'utf8')
    .replaceAll('KEEPALIVES', String(keepalives))
    .replaceAll('CIVIL', '35030201')
    .replaceAll('DOMAIN', DOMAIN)
    .replaceAll('CH1', CH1)
    .replaceAll('CH2', CH2)
    .replaceAll('DEV', DEV);
  writeFileSync(file, text);
  return file;
}

/** sipp as the device from a UDP port of its own; resolves with its exit code. */
async function sipp(
  sipPort: number,
  main: string,
  extra: string[] = [],
): Promise<{ done: Promise<number | null>; kill: () => void; output: () => string }> {
  // sipp's own port from the test range too (its default, 5061, may be taken).
  const local = await freeSipPort();
  const args = [
    `127.0.0.1:${sipPort}`,
    '-p',
    String(local),
    '-sf',
    main,
    '-s',
    SERVER_ID,
    '-au',
    DEV,
    '-ap',
    PASSWORD,
    '-i',
    '127.0.0.1',
    '-m',
    '1',
    '-t',
    'u1',
    '-nostdin',
    '-timeout',
    '180s',
    '-trace_err',
    ...extra,
  ];
  const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr.on('data', (d) => (out = (out + d.toString()).slice(-20_000)));
  return { done: new Promise((r) => child.once('exit', (code) => r(code))), kill: () => child.kill('SIGKILL'), output: () => out };
}

describe('GB/T 28181 with sipp as the device', () => {
  let t: TestDb;
  let app: Running;
  let sipPort: number;
  let base: string;
  let token: string;

  const api = async (p: string) => {
    const res = await fetch(`${base}${p}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as any;
  };

  beforeAll(async () => {
    t = await freshPgDb();
    await importTestCity(t.db, { cameras: 200, doors: 2 });
    sipPort = await freeSipPort();
    const httpPort = await freeSipPort();
    app = run(process.execPath, ['--import', 'tsx', 'main.ts'], {
      DATABASE_URL: t.url!,
      MQTT_URL: '',
      MQTT_EMBEDDED_PORT: '0',
      SIMULATE: 'false',
      PORT: String(httpPort),
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      LOG_LEVEL: 'info',
      BOOTSTRAP_ADMIN_PASSWORD: ADMIN,
      GB_SIP_PORT: String(sipPort),
      GB_SIP_HOST: '127.0.0.1',
      GB_SIP_PASSWORD: PASSWORD,
      GB_KEEPALIVE_INTERVAL: '2s',
      GB_QUERY_TIMEOUT: '10s',
      OFFLINE_AFTER_FAILURES: '2',
      REPAIR_STABLE_FOR: '3s',
      ANALYTICS_TICK: '1s',
      DISCOVERY_INTERVAL: '1h',
    });
    await app.waitFor(/Gridwatch is up/, 180_000);
    await app.waitFor(/GB\/T 28181 SIP server listening/, 10_000);
    base = `http://127.0.0.1:${httpPort}/api/v1`;
    const login = await fetch(`${base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN }),
    });
    token = ((await login.json()) as { token: string }).token;
  }, 240_000);

  afterAll(async () => {
    await app?.stop();
    if (app) writeFileSync(path.join(dir, 'gridwatch.log'), app.output());
    await t?.close();
  });

  it('when sipp registers with digest, keeps alive and answers the catalog, then its channels are gb28181 cameras on the grid; silent, a ticket opens; back, it resolves', async () => {
    const first = await sipp(sipPort, scenario('device', 8), ['-oocsf', scenario('answers', 0)]);
    const cams = await until(
      () => api('/cameras?protocol=gb28181'),
      (r) => r.total === 2,
      60_000,
      'sipp channels in the camera list',
    );
    expect(cams.items.map((c: any) => c.id).sort()).toEqual([CH1, CH2]);
    for (const c of cams.items) {
      // Civil code 35030201 → Chengxiang district, its town 01: a cell of t-chengxiang-01.
      expect(c).toMatchObject({ protocol: 'gb28181', parentId: DEV, districtId: 'd-chengxiang', manufacturer: 'SIPp' });
      expect(c.cellId).toMatch(/^g-chengxiang-01-/);
    }
    expect(cams.items.find((c: any) => c.id === CH1).name).toBe('镇海街道口');
    expect((await api('/cameras?protocol=onvif')).items.some((c: any) => c.protocol !== 'onvif')).toBe(false);
    await until(
      () => api(`/cameras/${CH1}`),
      (c) => c.status === 'online',
      30_000,
      'channel online',
    );

    expect(await first.done).toBe(0);
    const silentSince = Date.now();
    const open = await until(
      () => api(`/repairs?camera=${CH1}`),
      (r) => r.items.some((x: any) => x.state === 'open'),
      60_000,
      'repair ticket opened',
    );
    const ticket = open.items.find((x: any) => x.state === 'open');
    expect(ticket.cause).toBe('unreachable');
    // Offline after 3 missed 2-s keepalives (HeartBeatInterval and HeartBeatCount as the device answered them), not before.
    expect(Date.parse(ticket.openedAt) - silentSince).toBeGreaterThan(1_000);
    expect(app.output()).toMatch(/GB devices offline: keepalives missed/);

    const resumed = await sipp(sipPort, scenario('keepalive', 40));
    try {
      await until(
        () => api(`/repairs?camera=${CH1}`),
        (r) => r.items.some((x: any) => x.ticketId === ticket.ticketId && x.state === 'resolved'),
        90_000,
        'repair ticket resolved',
      );
      await until(
        () => api(`/cameras/${CH1}`),
        (c) => c.status === 'online',
        30_000,
        'channel online again',
      );
    } finally {
      resumed.kill();
    }
  }, 300_000);
});
