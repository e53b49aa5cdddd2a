// What the live-view browser tests share: a listening gateway, one camera streaming from our RTSP server, a Chromium,
// and the check that a <video> plays.
import { expect } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { baseUrl, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';
import { RtspStreams } from '../../fixtures/index.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { ensureDashboardBuilt, launch } from './browser.ts';

export interface LiveSetup {
  t: GatewayTest;
  base: string;
  browser: Browser;
  rtsp: RtspStreams;
  close(): Promise<void>;
}

/** The gateway (with `env`), `cameraId`'s stream on an RTSP server at `rtspPort`, and a browser. */
export async function liveSetup(cameraId: string, rtspPort: number, env: Record<string, string>): Promise<LiveSetup> {
  await ensureDashboardBuilt();
  const t = await gatewayTest({ listen: true, env });
  const rtsp = await RtspStreams.start({ port: rtspPort });
  await rtsp.add(cameraId, cameraId);
  await new CamerasRepository(t.ctx.db).setMediaUris(cameraId, { streamUri: rtsp.uri(cameraId) });
  const browser = await launch();
  return {
    t,
    base: baseUrl(t),
    browser,
    rtsp,
    close: async () => {
      await browser.close();
      await t.close();
      await rtsp.stop();
    },
  };
}

/** currentTime of the video now and a moment later: playing means it moved on. */
export async function advancing(page: Page, selector: string): Promise<void> {
  const at = () => page.locator(selector).evaluate((v: HTMLVideoElement) => v.currentTime);
  await expect.poll(at, { timeout: 30_000 }).toBeGreaterThan(0);
  const first = await at();
  await expect.poll(at, { timeout: 15_000 }).toBeGreaterThan(first);
}
