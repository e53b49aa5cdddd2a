// In a real Chromium, in English and in Chinese: a monitor opens a camera live from a forced-door alert (RTSP through
// ffmpeg as fragmented MP4 into Media Source Extensions) and the picture plays; the alert's clip plays too; the
// buttons are drawn without emoji.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { alert } from '../gateway/seed.ts';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import type { Alert } from '../../core/events/alert.ts';
import { loggedIn } from './browser.ts';
import { advancing, liveSetup, type LiveSetup } from './live-setup.ts';

let s: LiveSetup;
let forced: Alert;

beforeAll(async () => {
  s = await liveSetup('cam-001', 26555, { CLIP_BEFORE: '2s', CLIP_AFTER: '2s', CLIP_RECORDER: 'off' });
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
  await new AlertsRepository(s.t.ctx.db).insert(forced);
  // The clip of the alert, as the recorder writes it when the alert is published.
  await s.t.app.video.clips.handle(forced);
}, 120_000);
afterAll(async () => {
  await s?.close();
});

for (const [lang, words] of [
  ['en', { live: 'Live view', clips: 'Event clips' }],
  ['zh-CN', { live: '实时画面', clips: '事件录像' }],
] as const) {
  it(`when a monitor (${lang}) opens the camera of a forced-door alert, then the live video plays, and so does the alert's clip`, async () => {
    const page = await loggedIn(s.browser, s.base, 'monitor1', { lang });
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
    await expect.poll(() => s.t.app.video.pool.running(), { timeout: 15_000 }).toEqual([]);

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
