// In a real Chromium: every page for every role renders without a script error and without an error state, the
// navigation holds only what the role may use, and a page's API refusing (403) shows words, not a crash.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { baseUrl, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';
import { seed } from '../gateway/seed.ts';
import { ensureDashboardBuilt, launch, loggedIn } from './browser.ts';
import { WatchlistsRepository } from '../../core/db/repositories/watchlists.repository.ts';
import { FaceMatchesRepository } from '../../core/db/repositories/face-matches.repository.ts';
import { FaceAuditRepository } from '../../core/db/repositories/face-audit.repository.ts';
import { FaceStore } from '../../analytics/face/face-store.ts';
import { FaceService } from '../../analytics/face/face.service.ts';

let t: GatewayTest;
// The gateway loads no model: enrolment is answered over the bus by a face service, as in the all-in-one start.
let faces: FaceService;
let browser: Browser;
let base: string;
beforeAll(async () => {
  await ensureDashboardBuilt();
  t = await gatewayTest({ listen: true, env: { FACE_WORKERS: '1' } });
  await seed(t.ctx.db);
  // A shared-subscription group of its own, so our requests are not handed in turn to other test files' services.
  faces = new FaceService(t.ctx, { group: `faces-e2e-${randomUUID().slice(0, 8)}` });
  await faces.start();
  base = baseUrl(t);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await faces?.stop();
  await t?.close();
});

const NAV: Record<string, string[]> = {
  admin: ['live', 'repairs', 'cameras', 'doors', 'supervision', 'reports', 'faces', 'dead-letters'],
  monitor1: ['live', 'repairs', 'cameras', 'doors', 'reports', 'faces'],
  manager1: ['live', 'doors'],
  supervisor1: ['live', 'repairs', 'cameras', 'supervision', 'reports'],
};

describe.each(Object.keys(NAV))('%s', (user) => {
  it('when each allowed page is opened, then it shows content without script errors or error states', async () => {
    const page = await loggedIn(browser, base, user, { lang: user === 'monitor1' ? 'zh-CN' : 'en' });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const links = await page.locator('header nav a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(NAV[user].map((p) => `#/${p}`));
    for (const p of NAV[user]) {
      await page.goto(`${base}/#/${p}`);
      await page.locator(`main#page-${p}`).waitFor();
      // Loading finishes (no "loading" left), and nothing failed, except the map's coverage note for managers.
      await expect.poll(() => page.locator('main .state.loading').count(), { timeout: 10_000 }).toBe(0);
      const failures = await page.locator('main .state.error').allTextContents();
      expect(failures, `${user} on ${p}`).toEqual([]);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

it('when a page the role may not use is asked for by its address, then the first allowed page shows instead', async () => {
  const page = await loggedIn(browser, base, 'manager1');
  await page.goto(`${base}/#/reports`);
  await page.locator('main#page-live').waitFor();
  expect(page.url()).toMatch(/#\/live$/);
  await page.context().close();
});

it('when the login form opens, then no alert shows; a wrong password shows one in words', async () => {
  const page = await browser.newPage();
  await page.goto(`${base}/`);
  const alert = page.locator('form.login [role=alert]');
  await page.locator('form.login').waitFor();
  expect(await alert.isVisible()).toBe(false);
  await page.fill('input[name=username]', 'admin');
  await page.fill('input[name=password]', 'not-the-password');
  await page.click('form.login button[type=submit]');
  await alert.waitFor();
  expect(await alert.textContent()).toBe('Login failed: wrong username or password');
  await page.close();
});

it('when the session expires, then the next request returns to the login form', async () => {
  const page = await loggedIn(browser, base, 'admin');
  await page.evaluate(() => {
    const s = JSON.parse(localStorage.getItem('gridwatch.session')!);
    s.token = 'expired.token.value';
    localStorage.setItem('gridwatch.session', JSON.stringify(s));
  });
  await page.goto(`${base}/#/cameras`);
  await page.locator('form.login').waitFor();
  await page.context().close();
});

it('when a monitor creates a district watch list on the Faces page, then it is listed; a city list is refused in words', async () => {
  const page = await loggedIn(browser, base, 'monitor1');
  await page.goto(`${base}/#/faces`);
  const lists = page.locator('main .faces-lists');
  await expect.poll(() => page.locator('main .state.loading').count()).toBe(0);
  const form = page.locator('main form.inline-form').first();
  await form.locator('input[name=name]').fill('Wanted in d1');
  await form.locator('input[name=scopeId]').fill('d1');
  await form.locator('button[type=submit]').click();
  await expect.poll(() => lists.textContent()).toContain('Wanted in d1');
  await form.locator('input[name=name]').fill('Citywide');
  await form.locator('input[name=scopeId]').fill('');
  await form.locator('button[type=submit]').click();
  await form.locator('.state.error').waitFor();
  expect(await lists.textContent()).not.toContain('Citywide');
  await page.context().close();
});

it('when a monitor enrols a person with a photo on the Faces page, then the person is listed with the photo counted', async () => {
  const page = await loggedIn(browser, base, 'monitor1');
  await page.goto(`${base}/#/faces`);
  const lists = page.locator('main .faces-lists');
  const form = page.locator('main form.inline-form').first();
  await form.locator('input[name=name]').fill('Enrol here');
  await form.locator('input[name=scopeId]').fill('d1');
  await form.locator('button[type=submit]').click();
  await lists.getByRole('link', { name: 'Enrol here' }).click();
  const persons = page.locator('main .faces-persons');
  const enrol = persons.locator('form.inline-form');
  await enrol.locator('input[name=name]').fill('Person One');
  await enrol.locator('input[name=photo]').setInputFiles(fileURLToPath(new URL('../../fixtures/faces/p01-a.jpg', import.meta.url)));
  await enrol.locator('button[type=submit]').click();
  // The face engine starts on the first enrolment: allow it time on a busy machine.
  await expect.poll(() => persons.locator('ul.plain').textContent(), { timeout: 90_000 }).toMatch(/Person One · 1 /);
  await page.context().close();
}, 120_000);

it('when a monitor opens a door match on the Faces page, then it names the door and the crop opens on request, audited', async () => {
  const lists = new WatchlistsRepository(t.ctx.db);
  const [watchlistId, personId] = [randomUUID(), randomUUID()];
  await lists.create({ id: watchlistId, name: 'Match list', level: 'wanted', scope: { kind: 'district', id: 'd1' } });
  await lists.addPerson({ id: personId, watchlistId, name: 'Matched Person' }, []);
  const crop = await new FaceStore(t.ctx.config.dataDir).save(
    'matches',
    new Date(),
    'e2e-crop',
    await readFile(new URL('../../fixtures/faces/p01-a.jpg', import.meta.url)),
  );
  const matchId = randomUUID();
  await new FaceMatchesRepository(t.ctx.db).insert({
    matchId,
    captureId: randomUUID(),
    ts: new Date().toISOString(),
    personId,
    watchlistId,
    distance: 0.21,
    cropPath: crop,
    propertyId: 'p1',
    doorId: 'p1-door1',
    districtId: 'd1',
  });
  const page = await loggedIn(browser, base, 'monitor1');
  await page.goto(`${base}/#/faces`);
  const row = page.locator('main tr', { hasText: 'Matched Person' });
  await row.waitFor();
  expect(await row.textContent()).toContain('Door p1-door1');
  const cropViews = async () =>
    (await new FaceAuditRepository(t.ctx.db).list({ matchId, actor: 'monitor1' })).filter((e) => e.action === 'view_crop').length;
  expect(await cropViews()).toBe(0);
  await row.getByRole('button', { name: 'View' }).click();
  const img = row.locator('img');
  await img.waitFor();
  // A real JPEG decoded by the browser, fetched with the session's token.
  await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  expect(await cropViews()).toBe(1);
  await page.context().close();
});
