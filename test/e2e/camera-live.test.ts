// In a real Chromium, in English and in Chinese: a monitor opens a camera live from its row on the Cameras page (the
// same live view as from an alert: RTSP through ffmpeg as fragmented MP4), the picture plays, and closing it stops
// the gateway's ffmpeg.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { baseUrl, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';
import { RtspStreams } from '../../fixtures/index.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { ensureDashboardBuilt, launch, loggedIn } from './browser.ts';

let t: GatewayTest;
let browser: Browser;
let rtsp: RtspStreams;
let base: string;

beforeAll(async () => {
  await ensureDashboardBuilt();
  t = await gatewayTest({ listen: true, env: { CLIP_RECORDER: 'off' } });
  base = baseUrl(t);
  rtsp = await RtspStreams.start({ port: 23554 });
  await rtsp.add('cam-002', 'cam-002');
  await new CamerasRepository(t.ctx.db).setMediaUris('cam-002', { streamUri: rtsp.uri('cam-002') });
  browser = await launch();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await rtsp?.stop();
});

async function advancing(page: Page, selector: string): Promise<void> {
  const at = () => page.locator(selector).evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect.poll(at, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await at();
  await expect.poll(at, { timeout: 15_000 }).toBeGreaterThan(first);
}

for (const [lang, words] of [
  ['en', { live: 'Open live view' }],
  ['zh-CN', { live: '打开实时画面' }],
] as const) {
  it(`when a monitor (${lang}) opens a camera's row and its live view, then the video plays`, async () => {
    const page = await loggedIn(browser, base, 'monitor1', { lang });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${base}/#/cameras`);
    await page.locator('main tbody tr', { hasText: 'cam-002' }).click();
    const button = page.locator('aside.details [data-testid=open-live][data-camera-id=cam-002]');
    expect(await button.textContent()).toContain(words.live);
    expect(await button.locator('svg.icon').count()).toBe(1);
    await button.click();
    await advancing(page, 'aside.details [data-testid=live-view] video');
    await page.locator('[data-testid=live-view] figcaption button').click();
    await expect.poll(() => t.app.video.pool.running(), { timeout: 15_000 }).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
}
