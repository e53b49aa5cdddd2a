// `npm start` on a fresh DATA_DIR with no servers: embedded PGlite and aedes, health served, clean stop.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureDashboardBuilt } from '../../dashboard/build-if-missing.ts';
import { groupGone, startAllInOne } from '../helpers/run.ts';
import { rangeOf } from '../helpers/port-ranges.ts';
import { portIn } from '../chaos/harness.ts';

const dirs: string[] = [];
// `npm start` builds the dashboard in its prestart step; this test starts main.ts directly.
beforeAll(() => ensureDashboardBuilt(), 180_000);
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function startOnce(dataDir: string, port: number) {
  const p = startAllInOne(dataDir, port, { LOG_LEVEL: 'info' });
  await p.waitFor(/Gridwatch is up/, 120_000);
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/health`);
  const body = (await res.json()) as any;
  return { p, res, body };
}

it('when started with no servers configured, then it serves health on embedded backends, keeps data and stops cleanly', async () => {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gw-start-'));
  dirs.push(dataDir);
  const port = await portIn(rangeOf('systemStart'));
  const first = await startOnce(dataDir, port);
  expect(first.res.status).toBe(200);
  expect(first.body.status).toBe('ok');
  expect(first.body.db.backend).toBe('embedded');
  expect(first.body.db.version).toMatch(/^\d+/);
  expect(first.body.broker).toEqual({ kind: 'embedded', connected: true });
  expect(first.body.components.simulator.cameras).toBe(200);
  const page = await fetch(`http://127.0.0.1:${port}/`);
  expect(page.status).toBe(200);
  expect(await page.text()).toMatch(/<title>Gridwatch/);
  expect(await first.p.stop('SIGINT')).toBe(0);
  expect(first.p.output()).toMatch(/stopped/);
  // Children (ffmpeg checks, the RTSP server) are gone with it: give the kernel a moment to reap them.
  for (let i = 0; i < 50 && !groupGone(first.p.child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
  expect(groupGone(first.p.child.pid!)).toBe(true);

  // A second start on the same DATA_DIR reopens the same database (migrations already applied).
  const second = await startOnce(dataDir, port);
  expect(second.body.db.backend).toBe('embedded');
  expect(await second.p.stop('SIGTERM')).toBe(0);
}, 300_000);
