// In a real Chromium, in English and in Chinese: a monitor opens a camera live from its row on the Cameras page (the
// same live view as from an alert: RTSP through ffmpeg as fragmented MP4), the picture plays, and closing it stops
// the gateway's ffmpeg.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loggedIn } from './browser.ts';
import { advancing, liveSetup, type LiveSetup } from './live-setup.ts';

let s: LiveSetup;
beforeAll(async () => {
  s = await liveSetup('cam-002', 23554, { CLIP_RECORDER: 'off' });
}, 120_000);
afterAll(async () => {
  await s?.close();
});

for (const [lang, words] of [
  ['en', { live: 'Open live view' }],
  ['zh-CN', { live: '打开实时画面' }],
] as const) {
  it(`when a monitor (${lang}) opens a camera's row and its live view, then the video plays`, async () => {
    const page = await loggedIn(s.browser, s.base, 'monitor1', { lang });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${s.base}/#/cameras`);
    await page.locator('main tbody tr', { hasText: 'cam-002' }).click();
    const button = page.locator('aside.details [data-testid=open-live][data-camera-id=cam-002]');
    expect(await button.textContent()).toContain(words.live);
    expect(await button.locator('svg.icon').count()).toBe(1);
    await button.click();
    await advancing(page, 'aside.details [data-testid=live-view] video');
    await page.locator('[data-testid=live-view] figcaption button').click();
    await expect.poll(() => s.t.app.video.pool.running(), { timeout: 15_000 }).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);
}
