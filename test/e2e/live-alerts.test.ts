// In a real Chromium: a monitor sees a forced-door alert appear without reload, and a property manager sees only
// their compound's door events.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { baseUrl, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';
import { alert, doorEvent } from '../gateway/seed.ts';
import { DoorEventsRepository } from '../../core/db/repositories/door-events.repository.ts';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import { ensureDashboardBuilt, launch, loggedIn } from './browser.ts';

let t: GatewayTest;
let browser: Browser;
let base: string;
beforeAll(async () => {
  await ensureDashboardBuilt();
  t = await gatewayTest({ listen: true });
  base = baseUrl(t);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

// The 1-s delivery target is measured, not timed here: `npm run bench -- gateway` (bus → socket.io clients, p99).
it('when a forced-door alert is published on the bus, then the monitor sees it without reload', async () => {
  const page = await loggedIn(browser, base, 'monitor1');
  await page.waitForSelector('[data-testid=live-state].on');
  await page.waitForSelector('[data-testid=alert-feed], .feed-box .state.empty');
  const a = alert({
    kind: 'door_forced',
    severity: 'high',
    title: 'North gate forced open',
    subjectId: 'p1-door1',
    propertyId: 'p1',
    place: { district: 'd1', cell: 'd1-cell1' },
  });
  const navigations: string[] = [];
  page.on('framenavigated', (f) => navigations.push(f.url()));
  // As the alerts service does: stored, then published.
  await new AlertsRepository(t.ctx.db).insert(a);
  await t.ctx.bus.publish('alert', { kind: a.kind }, a);
  const li = page.locator(`li[data-alert-id="${a.alertId}"]`);
  await li.waitFor({ state: 'visible', timeout: 10_000 });
  expect(navigations).toEqual([]);
  await expect.poll(() => li.getAttribute('class')).toContain('flash');
  expect(await li.textContent()).toContain('North gate forced open');

  // Acknowledge from the page: the server records it and the item shows the new state.
  await li.getByRole('button', { name: 'Acknowledge' }).click();
  await page.locator(`li[data-alert-id="${a.alertId}"].state-acknowledged`).waitFor();
  const stored = await t.app.inject({ url: `/api/v1/alerts/${a.alertId}`, headers: { authorization: `Bearer ${await t.login('admin')}` } });
  expect(stored.json()).toMatchObject({ state: 'acknowledged', ackedBy: 'monitor1' });

  // An alert of another district never shows.
  const other = alert({ kind: 'door_forced', severity: 'critical', subjectId: 'p3-door1', propertyId: 'p3', place: { district: 'd2' } });
  await t.ctx.bus.publish('alert', { kind: other.kind }, other);
  const mine = alert({ kind: 'door_forced', severity: 'high', subjectId: 'p1-door2', propertyId: 'p1', place: { district: 'd1' } });
  await t.ctx.bus.publish('alert', { kind: mine.kind }, mine);
  await page.locator(`li[data-alert-id="${mine.alertId}"]`).waitFor({ timeout: 5000 });
  expect(await page.locator(`li[data-alert-id="${other.alertId}"]`).count()).toBe(0);
  await page.context().close();
});

it('when a monitor reads alerts in Chinese, then titles are worded in Chinese from their values, stored or pushed', async () => {
  const repo = new AlertsRepository(t.ctx.db);
  const offline = alert({
    kind: 'camera_offline',
    severity: 'medium',
    title: 'Camera cam-001 offline (unreachable)',
    titleArgs: { camera: 'cam-001', cause: 'unreachable' },
    subjectKind: 'camera',
    subjectId: 'cam-001',
    place: { district: 'd1' },
  });
  const legacy = alert({
    kind: 'camera_offline',
    severity: 'medium',
    title: 'Camera cam-002 offline (timeout)',
    subjectKind: 'camera',
    subjectId: 'cam-002',
    place: { district: 'd1' },
  });
  await repo.insert(offline);
  await repo.insert(legacy);
  const page = await loggedIn(browser, base, 'monitor1', { lang: 'zh-CN' });
  await page.waitForSelector('[data-testid=live-state].on');
  const title = (a: { alertId: string }) => page.locator(`li[data-alert-id="${a.alertId}"] .alert-title`);
  expect(await title(offline).textContent()).toBe('摄像机 cam-001 离线（无法连接）');
  // Stored before titles carried their values: the server's English title.
  expect(await title(legacy).textContent()).toBe('Camera cam-002 offline (timeout)');
  const gap = alert({
    kind: 'coverage_gap',
    severity: 'medium',
    title: 'Coverage of cell Cell 1 down to 40% (threshold 80%)',
    titleArgs: { cell: 'Cell 1', rate: 40, threshold: 80 },
    subjectKind: 'cell',
    subjectId: 'd1-cell1',
    place: { district: 'd1', cell: 'd1-cell1' },
  });
  await repo.insert(gap);
  await t.ctx.bus.publish('alert', { kind: gap.kind }, gap);
  await expect
    .poll(() =>
      title(gap)
        .textContent()
        .catch(() => null),
    )
    .toBe('网格 Cell 1 覆盖率降至 40%（阈值 80%）');
  await page.context().close();
});

it("when a property manager opens Doors, then only their compound's door events are listed", async () => {
  const now = Date.now();
  const events = [
    doorEvent('p1', 'p1-door1', 'granted', new Date(now - 60_000)),
    doorEvent('p1', 'p1-door2', 'forced_open', new Date(now - 50_000)),
    doorEvent('p2', 'p2-door1', 'granted', new Date(now - 40_000)),
    doorEvent('p3', 'p3-door1', 'denied', new Date(now - 30_000)),
  ];
  await new DoorEventsRepository(t.ctx.db).insertMany(events);
  const page = await loggedIn(browser, base, 'manager1', { lang: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  await page.goto(`${base}/#/doors`);
  const rows = page.locator('[data-testid=door-events] tbody tr');
  await rows.first().waitFor();
  const texts = await rows.allTextContents();
  expect(texts.length).toBeGreaterThanOrEqual(2);
  // In zh-CN the compound is shown by its Chinese name.
  expect(texts.every((x) => x.includes('兰亭花园'))).toBe(true);
  expect(texts.some((x) => x.includes('Mulan Court') || x.includes('Hanjiang Estate'))).toBe(false);
  // In Chinese, with the event types translated.
  expect(texts.join(' ')).toContain('强行开门');
  // The doors list holds their three doors only.
  const doors = await page.locator('main section').first().locator('tbody tr').allTextContents();
  expect(doors).toHaveLength(3);
  // A door event pushed live for their compound appears; one for another compound does not.
  const live = doorEvent('p1', 'p1-door3', 'held_open');
  const foreign = doorEvent('p3', 'p3-door1', 'held_open');
  await new DoorEventsRepository(t.ctx.db).insertMany([live, foreign]);
  await t.ctx.bus.publish('doorEvents', {}, { events: [foreign, live] });
  await expect.poll(async () => (await rows.allTextContents()).some((x) => x.includes('门未关')), { timeout: 5000 }).toBe(true);
  expect((await rows.allTextContents()).some((x) => x.includes('Hanjiang Estate'))).toBe(false);
  await page.context().close();
});
