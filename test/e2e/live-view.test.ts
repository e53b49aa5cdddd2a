// In a real Chromium, in English and in Chinese: a monitor opens a camera live from a forced-door alert (RTSP through
// ffmpeg as fragmented MP4 into Media Source Extensions) and the picture plays; the alert's clip plays too; the
// buttons are drawn without emoji.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { baseUrl, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';
import { alert } from '../gateway/seed.ts';
import { RtspStreams } from '../../fixtures/index.ts';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import type { Alert } from '../../core/events/alert.ts';
import { ensureDashboardBuilt, launch, loggedIn } from './browser.ts';

let t: GatewayTest;
let browser: Browser;
let rtsp: RtspStreams;
let base: string;
let forced: Alert;

beforeAll(async () => {
  await ensureDashboardBuilt();
  t = await gatewayTest({ listen: true, env: { CLIP_BEFORE: '2s', CLIP_AFTER: '2s', CLIP_RECORDER: 'off' } });
  base = baseUrl(t);
  rtsp = await RtspStreams.start({ port: 26555 });
  await rtsp.add('cam-001', 'cam-001');
  await new CamerasRepository(t.ctx.db).setMediaUris('cam-001', { streamUri: rtsp.uri('cam-001') });
  forced = alert({
    kind: 'door_forced',
    severity: 'high',
    title: 'North gate forced open',
    titleArgs: { door: 'North gate' },
    subjectId: 'p1-door1',
    propertyId: 'p1',
    place: { district: 'd1', cell: 'd1-cell1' },
    evidence: { cameras: [{ id: 'cam-001' }] },
  });
  await new AlertsRepository(t.ctx.db).insert(forced);
  // The clip of the alert, as the recorder writes it when the alert is published.
  await t.app.video.clips.handle(forced);
  browser = await launch();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
  await rtsp?.stop();
});

/** currentTime of the video now and a moment later: playing means it moved on. */
async function advancing(page: Page, selector: string): Promise<void> {
  const at = () => page.locator(selector).evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect.poll(at, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await at();
  await expect.poll(at, { timeout: 15_000 }).toBeGreaterThan(first);
}

for (const [lang, words] of [
  ['en', { live: 'Live view', clips: 'Event clips' }],
  ['zh-CN', { live: '实时画面', clips: '事件录像' }],
] as const) {
  it(`when a monitor (${lang}) opens the camera of a forced-door alert, then the live video plays, and so does the alert's clip`, async () => {
    const page = await loggedIn(browser, base, 'monitor1', { lang });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const li = page.locator(`li[data-alert-id="${forced.alertId}"]`);
    await li.waitFor();
    const liveButton = li.locator('[data-testid=open-live][data-camera-id=cam-001]');
    expect(await liveButton.textContent()).toContain(words.live);
    // Icons are SVG: no emoji anywhere in the card.
    expect(await li.locator('svg.icon').count()).toBeGreaterThan(0);
    expect(/\p{Extended_Pictographic}/u.test((await li.textContent()) ?? '')).toBe(false);
    await liveButton.click();
    await advancing(page, '[data-testid=live-view] video');
    // Closing the panel stops the stream; the gateway's ffmpeg stops with its last viewer.
    await page.locator('[data-testid=live-view] figcaption button').click();
    await expect.poll(() => t.app.video.pool.running(), { timeout: 15_000 }).toEqual([]);

    const clipsButton = li.locator('[data-testid=open-clips]');
    expect(await clipsButton.textContent()).toContain(words.clips);
    await clipsButton.click();
    const clip = page.locator('[data-testid=alert-clips] video[data-testid=clip-video]');
    await clip.waitFor();
    await clip.evaluate((v: HTMLVideoElement) => v.play());
    await advancing(page, '[data-testid=alert-clips] video[data-testid=clip-video]');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
}
