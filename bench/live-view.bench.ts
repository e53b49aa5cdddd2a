// Issue 18's live-view row: a camera of the GStreamer RTSP server (640×360, 10 fps, H.264, key frame every 2 s)
// opened from the dashboard in headless Chromium, through the gateway's ffmpeg (remux to fragmented MP4) into MSE.
// Time from the click (the gateway's ffmpeg opens the RTSP session at once) to the first frame the browser presents,
// over fresh starts; then the gateway's CPU (its process + its ffmpeg) per viewer with 4 cameras watched for 20 s.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Row } from './main.ts';
import { baseUrl, gatewayTest } from '../test/gateway/gateway-context.ts';
import { ensureDashboardBuilt, launch, loggedIn } from '../test/e2e/browser.ts';
import { alert } from '../test/gateway/seed.ts';
import { RtspStreams } from '../fixtures/index.ts';
import { AlertsRepository } from '../core/db/repositories/alerts.repository.ts';
import { CamerasRepository } from '../core/db/repositories/cameras.repository.ts';

const RUNS = Number(process.env.BENCH_LIVE_RUNS ?? 5);
const CAMERAS = ['cam-001', 'cam-002', 'cam-003', 'cam-004'];
const WATCH_S = 20;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

export async function run(): Promise<Row[]> {
  await ensureDashboardBuilt();
  const t = await gatewayTest({ listen: true, env: { CLIP_RECORDER: 'off' } });
  const rtsp = await RtspStreams.start({ port: 26556 });
  const browser = await launch();
  try {
    const base = baseUrl(t);
    const cams = new CamerasRepository(t.ctx.db);
    for (const c of CAMERAS) {
      await rtsp.add(c, c);
      await cams.setMediaUris(c, { streamUri: rtsp.uri(c) });
    }
    const a = alert({
      kind: 'door_forced',
      subjectId: 'p1-door1',
      propertyId: 'p1',
      place: { district: 'd1', cell: 'd1-cell1' },
      evidence: { cameras: CAMERAS.map((id) => ({ id })) },
    });
    await new AlertsRepository(t.ctx.db).insert(a);

    // First frame: each run a fresh page and no feed running (ffmpeg started by this click).
    const firstFrame: number[] = [];
    const firstFragment: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await loggedIn(browser, base, 'monitor1');
      const button = page.locator(`li[data-alert-id="${a.alertId}"] [data-testid=open-live][data-camera-id=cam-001]`);
      await button.waitFor();
      const clickedAt = await page.evaluate(() => performance.now());
      await button.click();
      // A string, not a function: tsx would wrap a named inner function in a helper the page does not have.
      const shownAt = await page.evaluate<number>(`new Promise((resolve) => {
        const wait = () => {
          const v = document.querySelector('[data-testid=live-view] video');
          if (!v) return setTimeout(wait, 5);
          v.requestVideoFrameCallback((now) => resolve(now));
        };
        wait();
      })`);
      firstFrame.push(shownAt - clickedAt);
      const lease = t.app.video.pool.acquire('cam-001', rtsp.uri('cam-001'));
      if (lease.feed.firstFragmentMs !== undefined) firstFragment.push(lease.feed.firstFragmentMs);
      lease.release();
      await page.context().close();
      while (t.app.video.pool.running().length) await sleep(100);
    }

    // CPU per viewer: 4 pages, each watching one camera.
    const pages = [];
    for (const c of CAMERAS) {
      const page = await loggedIn(browser, base, 'monitor1');
      await page.locator(`li[data-alert-id="${a.alertId}"] [data-testid=open-live][data-camera-id=${c}]`).click();
      await page.waitForFunction(
        () => (document.querySelector<HTMLVideoElement>('[data-testid=live-view] video')?.currentTime ?? 0) > 0,
        undefined,
        { timeout: 30_000 },
      );
      pages.push(page);
    }
    const pids = CAMERAS.map((c) => {
      const l = t.app.video.pool.acquire(c, rtsp.uri(c));
      const pid = l.feed.pid;
      l.release();
      return pid;
    }).filter((p): p is number => p !== undefined);
    const cpu0 = process.cpuUsage();
    const ff0 = pids.reduce((s, p) => s + cpuSeconds(p), 0);
    const t0 = Date.now();
    await sleep(WATCH_S * 1000);
    const wall = (Date.now() - t0) / 1000;
    const d = process.cpuUsage(cpu0);
    const gatewayCores = (d.user + d.system) / 1e6 / wall;
    const ffmpegCores = (pids.reduce((s, p) => s + cpuSeconds(p), 0) - ff0) / wall;
    const load = os.loadavg()[0].toFixed(2);
    for (const p of pages) await p.context().close();
    const ms = (x: number) => `${Math.round(x)} ms`;
    return [
      {
        name: `live view: click on the alert → first frame presented in Chromium (RTSP 640×360 10 fps H.264, GOP 2 s; ${RUNS} fresh starts)`,
        value: `p50 ${ms(pct(firstFrame, 50))}, max ${ms(Math.max(...firstFrame))}`,
        note: `gateway ffmpeg start → first fMP4 fragment p50 ${ms(pct(firstFragment, 50))} (RTSP DESCRIBE/SETUP/PLAY, probe, first key frame to the end of its group of pictures); load average ${load}`,
      },
      {
        name: `live view: gateway CPU per viewer (${CAMERAS.length} cameras, one viewer each, ${WATCH_S} s; remux, no re-encode)`,
        value: `${((gatewayCores + ffmpegCores) / CAMERAS.length).toFixed(3)} cores`,
        note: `gateway process ${gatewayCores.toFixed(3)} cores (incl. this bench's in-process Playwright driver), ffmpeg ${(ffmpegCores / CAMERAS.length).toFixed(3)} cores each; browser and RTSP server (x264 encoding of the simulated cameras) not counted; load average ${load}`,
      },
    ];
  } finally {
    await browser.close();
    await t.close();
    await rtsp.stop();
  }
}
