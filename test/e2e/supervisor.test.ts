// In a real Chromium, in English and in Chinese, on the simulator's demo city (Chengxiang) with outages made by the
// analytics services: the supervision page shows the online rate, intact rate and key-location coverage the API
// answers, per district and town, in the viewer's language; the rectification notice downloads as a PDF whose text
// is Chinese in zh-CN, and as CSV; camera names read Chinese in zh-CN.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { extractText, getDocumentProxy } from 'unpdf';
import { CityRepository } from '../../core/db/repositories/city.repository.ts';
import { DoorEventsRepository } from '../../core/db/repositories/door-events.repository.ts';
import { generateCity } from '../../fixtures/city/generate-city.ts';
import type { Figures } from '../../gateway/routes/supervisor/supervisor.schema.ts';
import { baseUrl, bearer, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';
import { statusHistory } from '../gateway/supervisor-city.ts';
import { doorEvent } from '../gateway/seed.ts';
import { ensureDashboardBuilt, launch, loggedIn } from './browser.ts';

let t: GatewayTest;
let browser: Browser;
let base: string;
const city = generateCity();
const now = Date.now();

beforeAll(async () => {
  await ensureDashboardBuilt();
  t = await gatewayTest({
    listen: true,
    city: false,
    env: { REPAIR_SLA_KEY: '10s', REPAIR_SLA_NORMAL: '30s', REPAIR_SLA_REMOTE: '60s', REPAIR_STABLE_FOR: '10s' },
  });
  await new CityRepository(t.ctx.db).importCity(city);
  const all = city.cameras.map((c) => c.id);
  // Two key cameras down (the key locations in front of them lose their cover), one blip, one black picture.
  const key = city.cameras.filter((c) => c.priority === 'key').map((c) => c.id);
  await statusHistory(t, now - 3_600_000, now, { all, down: key.slice(0, 2), brief: [all[1]], black: [all[2]] });
  base = baseUrl(t);
  browser = await launch();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

/** The page's figures request and the API's answer to the very same query. */
async function openSupervision(page: Page): Promise<Figures> {
  const asked = page.waitForRequest((r) => r.url().includes('/api/v1/supervisor/figures'));
  await page.goto(`${base}/#/supervision`);
  const url = new URL((await asked).url());
  await page.locator('[data-testid=kpi-onlineRate]').waitFor();
  const r = await t.app.inject({ url: `${url.pathname}${url.search}`, headers: bearer(await t.login('supervisor1')) });
  expect(r.statusCode).toBe(200);
  return r.json() as Figures;
}

const pctText = (lang: string, r: number) =>
  `${new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(Math.floor(r * 1000 + 1e-9) / 10)}%`;

async function pdfText(buf: Buffer): Promise<string> {
  return (await extractText(await getDocumentProxy(new Uint8Array(buf)), { mergePages: true })).text;
}

for (const [lang, words] of [
  ['en', { district: 'Chengxiang', town: 'Longqiao', title: 'Rectification notice', online: 'Online rate' }],
  ['zh-CN', { district: '城厢区', town: '龙桥街道', title: '视频监控整改通知', online: '在线率' }],
] as const) {
  it(`when a supervisor (${lang}) opens Supervision, then the three figures and the district's row are the API's`, async () => {
    const page = await loggedIn(browser, base, 'supervisor1', { lang });
    const api = await openSupervision(page);
    expect(api.total.cameras).toBe(200);
    expect(api.total.onlineRate).toBeLessThan(1);
    expect(api.total.intactRate).toBeLessThan(api.total.onlineRate!);
    expect(api.total.keyLocations).toBe(city.keyLocations!.length);
    expect(api.total.keyCovered).toBeLessThan(api.total.keyLocations);
    for (const key of ['onlineRate', 'intactRate', 'keyCoverage'] as const) {
      const kpi = page.locator(`[data-testid=kpi-${key}]`);
      expect(await kpi.getAttribute('data-value')).toBe(String(api.total[key]));
      expect(await kpi.locator('.kpi-value').textContent()).toBe(pctText(lang, api.total[key]!));
    }
    expect(await page.locator('[data-testid=kpi-onlineRate] .kpi-label').textContent()).toBe(words.online);
    // A rate below 1 never reads 100%.
    expect(await page.locator('[data-testid=kpi-onlineRate] .kpi-value').textContent()).not.toBe('100%');
    // The district's row: its name in the viewer's language, each rate as the API has it.
    const row = page.locator('table[data-table=districts] tr[data-id=d-chengxiang]');
    expect(await row.locator('td').first().textContent()).toBe(words.district);
    const values = await row.locator('td[data-value]').evaluateAll((tds) => tds.map((td) => (td as HTMLElement).dataset.value));
    const d = api.districts[0];
    expect(values).toEqual(['d-chengxiang', String(d.cameras), String(d.onlineRate), String(d.intactRate), String(d.keyCoverage)]);
    await expect.poll(() => page.locator('[data-testid=rates-chart] canvas').count()).toBeGreaterThan(0);
    // The uncovered key locations listed by name in the viewer's language.
    const firstUncovered = api.uncovered[0];
    const shown = await page.locator(`table[data-table=uncovered] tr[data-id=${firstUncovered.id}] td`).first().textContent();
    expect(shown).toBe(lang === 'zh-CN' ? firstUncovered.nameZh : firstUncovered.name);

    // One district chosen: its towns, named in the viewer's language.
    const again = page.waitForResponse((r) => r.url().includes('/api/v1/supervisor/figures') && r.url().includes('district='));
    await page.selectOption('select[name=district]', 'd-chengxiang');
    await again;
    await page.locator('table[data-table=towns]').waitFor();
    expect(await page.locator('table[data-table=towns] tbody td:first-child').allTextContents()).toContain(words.town);
    await page.context().close();
  });

  it(`when a supervisor (${lang}) downloads the rectification notice, then the PDF's text and the CSV are in that language`, async () => {
    const page = await loggedIn(browser, base, 'supervisor1', { lang, timezoneId: 'Asia/Shanghai' });
    await openSupervision(page);
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=notice-pdf]')]);
    const pdf = await readFile((await pdfDownload.path())!);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    // Text as extracted, without the line breaks of the PDF's table cells.
    const text = (await pdfText(pdf)).replace(/\s+/g, '');
    expect(text).toContain(words.title.replace(/\s+/g, ''));
    expect(text).toContain(words.district);
    if (lang === 'zh-CN') {
      expect(text).toContain('城厢区视频监控运维队');
      expect(text).toContain('Asia/Shanghai');
    }
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=notice-csv]')]);
    const csv = await readFile((await csvDownload.path())!, 'utf8');
    expect(csv).toContain(words.title);
    expect(csv).toContain(words.district);
    await page.context().close();
  });
}

it('when a monitor reads cameras, repairs and doors in Chinese, then the demo district, cameras, units, compounds and doors have Chinese names', async () => {
  const page = await loggedIn(browser, base, 'monitor1', { lang: 'zh-CN' });
  await page.goto(`${base}/#/cameras`);
  const first = page.locator('main tbody tr').first();
  await first.waitFor();
  const cam = city.cameras[0];
  const cells = await first.locator('td').allTextContents();
  expect(cells).toContain(cam.nameZh);
  expect(cells).toContain('城厢区');
  expect(await page.locator('select[name=district] option').allTextContents()).toContain('城厢区');
  // Searching by the Chinese name finds the camera.
  const wanted = city.cameras[4];
  await page.fill('input[type=search]', wanted.nameZh!);
  await expect.poll(() => page.locator('main tbody tr').allTextContents()).toEqual([expect.stringContaining(wanted.nameZh!)]);
  // Live alerts: overdue repairs worded with the camera's Chinese name and the district's name, not its id.
  await page.goto(`${base}/#/live`);
  const overdue = page.locator('li[data-kind=repair_overdue] .alert-title').first();
  await expect.poll(() => overdue.textContent()).toContain('（城厢区 督办）');
  const overdueTitle = (await overdue.textContent()) ?? '';
  expect(city.cameras.some((c) => overdueTitle.includes(`摄像机 ${c.nameZh}`))).toBe(true);
  // Repair tickets: the camera and the maintenance unit by their Chinese names.
  await page.goto(`${base}/#/repairs`);
  const ticket = page.locator('main tbody tr').first();
  await ticket.waitFor();
  const ticketCells = await ticket.locator('td').allTextContents();
  expect(ticketCells).toContain('城厢区视频监控运维队');
  expect(ticketCells.some((x) => city.cameras.some((c) => c.nameZh === x))).toBe(true);
  // Doors: the door and its compound by their Chinese names.
  await page.goto(`${base}/#/doors`);
  const door = page.locator('main tbody tr').first();
  await door.waitFor();
  const doorCells = await door.locator('td').allTextContents();
  expect(doorCells.some((x) => city.properties.some((p) => p.nameZh === x))).toBe(true);
  expect(doorCells.some((x) => city.doors.some((d) => d.nameZh === x))).toBe(true);
  // A door event names its door and compound in Chinese too.
  const d0 = city.doors[0];
  await new DoorEventsRepository(t.ctx.db).insertMany([doorEvent(d0.propertyId, d0.id, 'granted')]);
  await page.reload();
  const eventCells = page.locator('[data-testid=door-events] tbody tr').first().locator('td');
  await expect.poll(() => eventCells.allTextContents()).toContain(d0.nameZh!);
  expect(await eventCells.allTextContents()).toContain(city.properties.find((p) => p.id === d0.propertyId)!.nameZh!);
  await page.context().close();
});

it('when a supervisor opens a level-2 ticket, then its link leads to Supervision for the ticket district, with its notice', async () => {
  const page = await loggedIn(browser, base, 'supervisor1', { lang: 'zh-CN' });
  await page.goto(`${base}/#/repairs`);
  await page.locator('main tbody tr', { hasText: 'L2' }).first().click();
  const link = page.locator('[data-testid=ticket] [data-testid=to-notice]');
  expect(await link.textContent()).toContain('整改通知');
  await link.click();
  await page.locator('table[data-table=towns]').waitFor();
  expect(await page.locator('select[name=district]').inputValue()).toBe('d-chengxiang');
  await page.context().close();
});

it('when a supervisor colours the map by key-location coverage, then its scale spans the cells of the API, not 0–100', async () => {
  const page = await loggedIn(browser, base, 'supervisor1', { lang: 'zh-CN' });
  await page.goto(`${base}/#/live`);
  const map = page.locator('[data-testid=map]');
  await map.waitFor();
  const asked = page.waitForRequest((r) => r.url().includes('/api/v1/supervisor/figures') && r.url().includes('cells=true'));
  await page.selectOption('select[name=colour-by]', 'keyCoverage');
  const url = new URL((await asked).url());
  const api = (
    await t.app.inject({ url: `${url.pathname}${url.search}`, headers: bearer(await t.login('supervisor1')) })
  ).json() as Figures;
  const values = api.cells!.filter((c) => c.keyCoverage !== null).map((c) => c.keyCoverage! * 100);
  expect(values.length).toBeGreaterThan(1);
  await expect.poll(() => map.getAttribute('data-colour-by')).toBe('keyCoverage');
  const [min, max] = (await map.getAttribute('data-scale'))!.split('-').map(Number);
  expect(min).toBeLessThanOrEqual(Math.min(...values));
  expect(max).toBeGreaterThanOrEqual(Math.max(...values));
  expect(max - min).toBeLessThanOrEqual(Math.max(10, Math.max(...values) - Math.min(...values) + 10));
  expect(await page.locator('select[name=colour-by] option').allTextContents()).toContain('着色依据: 重点部位覆盖率');
  await page.context().close();
});

it('when the city has no cameras yet, then Supervision says so in words instead of empty charts', async () => {
  const empty = await gatewayTest({ listen: true, city: false });
  try {
    const page = await loggedIn(browser, baseUrl(empty), 'admin', { lang: 'zh-CN' });
    await page.goto(`${baseUrl(empty)}/#/supervision`);
    await expect
      .poll(() => page.locator('[data-testid=supervisor] .state.empty').textContent())
      .toBe('您的范围内暂无摄像机，没有可显示的指标。');
    expect(await page.locator('[data-testid=rates-chart]').count()).toBe(0);
    await page.context().close();
  } finally {
    await empty.close();
  }
});

it('when a supervisor in Shanghai picks a period of their own, then the API is asked for it in UTC and the page states it in Shanghai time', async () => {
  const page = await loggedIn(browser, base, 'supervisor1', { lang: 'en', timezoneId: 'Asia/Shanghai' });
  await openSupervision(page);
  await page.selectOption('select[name=period]', 'custom');
  await page.locator('input[name=from]').fill('2026-12-01T08:00');
  const asked = page.waitForRequest((r) => r.url().includes('/api/v1/supervisor/figures') && r.url().includes('2026-12-02'));
  await page.locator('input[name=to]').fill('2026-12-02T08:00');
  const url = new URL((await asked).url());
  expect(url.searchParams.get('from')).toBe('2026-12-01T00:00:00.000Z');
  expect(url.searchParams.get('to')).toBe('2026-12-02T00:00:00.000Z');
  await expect.poll(() => page.locator('[data-testid=period]').textContent()).toContain('12/1/26, 8:00:00 AM – 12/2/26, 8:00:00 AM');
  await page.context().close();
});
