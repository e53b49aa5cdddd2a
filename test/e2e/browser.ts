// Browser tests' helpers: Debian's Chromium through playwright-core, the dashboard built once, a logged-in page.
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureDashboardBuilt } from '../../dashboard/build-if-missing.ts';
import { PASSWORD } from '../gateway/gateway-context.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export { ensureDashboardBuilt };

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh browser context on the dashboard, logged in as `user`, in `lang`. */
export async function loggedIn(
  browser: Browser,
  baseUrl: string,
  user: string,
  opts: { lang?: 'en' | 'zh-CN'; timezoneId?: string } = {},
): Promise<Page> {
  const context = await browser.newContext({ locale: opts.lang ?? 'en', timezoneId: opts.timezoneId ?? 'Europe/Berlin' });
  const page = await context.newPage();
  await page.goto(`${baseUrl}/`);
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('form.login button[type=submit]');
  await page.waitForSelector('header nav');
  return page;
}
