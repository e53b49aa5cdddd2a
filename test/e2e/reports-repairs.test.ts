// In a real Chromium, on outages made by the analytics services: a supervisor opens the outage report, and the page,
// the CSV and the PDF they download carry the same figures as the API; a monitor sees overdue repairs first and
// leaves a note in a ticket's history.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import type { TimedInput } from '../../analytics/status/status-processor.ts';
import { ManualClock } from '../../core/clock.ts';
import { baseUrl, bearer, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';
import { ensureDashboardBuilt, launch, loggedIn } from './browser.ts';

let t: GatewayTest;
let browser: Browser;
let base: string;
const now = Date.now();
const T0 = now - 3_600_000;
const check = (cameraId: string, ts: number, ok: boolean): TimedInput => ({
  cameraId,
  ts,
  input: ok ? { type: 'check', ok: true } : { type: 'check', ok: false, cause: 'unreachable' },
});

beforeAll(async () => {
  await ensureDashboardBuilt();
  t = await gatewayTest({
    listen: true,
    env: { REPAIR_SLA_KEY: '10s', REPAIR_SLA_NORMAL: '30s', REPAIR_SLA_REMOTE: '60s', REPAIR_STABLE_FOR: '10s' },
  });
  const clock = new ManualClock(T0);
  const analytics = new AnalyticsService({ ...t.ctx, clock }, { group: `e2e-${randomBytes(3).toString('hex')}` });
  const cams = Array.from({ length: 12 }, (_, i) => `cam-${String(i + 1).padStart(3, '0')}`);
  // Real outages through the analytics services: three cameras go down, one comes back after 100 s.
  await analytics.status.process(cams.map((id) => check(id, T0, true)));
  for (const dt of [1000, 2000]) await analytics.status.process(['cam-001', 'cam-002', 'cam-007'].map((id) => check(id, T0 + dt, false)));
  await analytics.status.process([check('cam-002', T0 + 100_000, true)]);
  await analytics.status.process([check('cam-002', T0 + 110_000, true)]);
  clock.set(new Date(now));
  await analytics.repairs.escalate(new Date(now));
  base = baseUrl(t);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

it('when a supervisor shows the outage report and downloads it, then page, CSV and PDF match the API', async () => {
  const page = await loggedIn(browser, base, 'supervisor1');
  const shown = page.waitForRequest((r) => r.url().includes('/api/v1/reports/outages') && r.url().includes('format=json'));
  await page.goto(`${base}/#/reports`);
  const jsonUrl = new URL((await shown).url());
  await page.locator('[data-testid=report] table').first().waitFor();

  // The API's answer for the very same query.
  const headers = bearer(await t.login('supervisor1'));
  const api = (await t.app.inject({ url: `${jsonUrl.pathname}${jsonUrl.search}`, headers })).json() as {
    tables: Array<{ name: string; columns: Array<{ key: string }>; rows: Array<Record<string, unknown>> }>;
  };
  const withRows = api.tables.filter((tb) => tb.rows.length > 0);
  expect(withRows.length).toBeGreaterThan(0);
  for (const tb of withRows) {
    const cells = await page
      .locator(`table[data-table="${tb.name}"] tbody tr`)
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.dataset.value)));
    expect(cells).toEqual(tb.rows.map((r) => tb.columns.map((c) => String(r[c.key] ?? ''))));
  }
  // As read: figures rounded to two decimals with grouping, instants in the viewer's zone (Europe/Berlin here).
  const shownCells = await page
    .locator('[data-testid=report] td[data-value]')
    .evaluateAll((tds) => tds.map((td) => [td.dataset.value!, td.textContent!]));
  const fraction = shownCells.find(([v]) => /^\d+\.\d+$/.test(v));
  expect(fraction, 'a figure with decimals').toBeDefined();
  expect(fraction![1]).toBe(new Intl.NumberFormat('en', { maximumFractionDigits: 2 }).format(Number(fraction![0])));
  const instant = shownCells.find(([v]) => /^\d{4}-\d{2}-\d{2}T/.test(v));
  expect(instant, 'an instant').toBeDefined();
  expect(instant![1]).toBe(
    new Intl.DateTimeFormat('en', { dateStyle: 'short', timeStyle: 'medium', timeZone: 'Europe/Berlin' }).format(new Date(instant![0])),
  );

  // CSV: the same numbers as the API's rows.
  const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-csv]')]);
  const csv = await readFile((await csvDownload.path())!, 'utf8');
  const apiCsv = (await t.app.inject({ url: `${jsonUrl.pathname}${jsonUrl.search.replace('format=json', 'format=csv')}`, headers })).body;
  expect(csv).toBe(apiCsv);
  for (const tb of withRows) {
    for (const r of tb.rows) for (const v of Object.values(r)) if (typeof v === 'number') expect(csv).toContain(String(v));
  }

  // PDF: a real PDF, the one the API produces for the same query.
  const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-pdf]')]);
  const pdf = await readFile((await pdfDownload.path())!);
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
  expect(pdfDownload.suggestedFilename()).toMatch(/\.pdf$/);
  const apiPdf = await t.app.inject({ url: `${jsonUrl.pathname}${jsonUrl.search.replace('format=json', 'format=pdf')}`, headers });
  expect(apiPdf.headers['content-type']).toBe('application/pdf');
  // Same document but for its creation time: sizes agree within a few bytes.
  expect(Math.abs(apiPdf.rawPayload.length - pdf.length)).toBeLessThan(64);
  await page.context().close();
});

it('when a supervisor reads the reports in Chinese, then the report itself is in Chinese too', async () => {
  const page = await loggedIn(browser, base, 'supervisor1', { lang: 'zh-CN' });
  await page.goto(`${base}/#/reports`);
  const report = page.locator('[data-testid=report]');
  await report.locator('table').first().waitFor();
  expect(await report.locator('h2').textContent()).toBe('摄像机故障与维修');
  expect(await report.locator('table[data-table=districts] th').allTextContents()).toContain('在线率 %');
  await page.context().close();
});

it('when a monitor opens Repairs, then overdue tickets come first and a note joins the ticket history', async () => {
  const page = await loggedIn(browser, base, 'monitor1');
  await page.goto(`${base}/#/repairs`);
  const rows = page.locator('main tbody tr');
  await rows.first().waitFor();
  // d1's tickets: cam-001 (key, overdue and escalated) before cam-002 (resolved).
  const classes = await rows.evaluateAll((trs) => trs.map((tr) => tr.className));
  expect(classes[0]).toContain('overdue');
  expect(classes.findIndex((c) => !c.includes('overdue'))).toBeGreaterThan(0);
  expect(await rows.first().textContent()).toContain('L2');
  await rows.first().click();
  const ticket = page.locator('[data-testid=ticket]');
  await ticket.locator('ul.history li').first().waitFor();
  await ticket.locator('input[name=note]').fill('Crew on the way');
  await ticket.locator('button[type=submit]').click();
  await expect.poll(() => ticket.locator('ul.history li').allTextContents()).toContainEqual(expect.stringContaining('Crew on the way'));
  expect((await ticket.locator('ul.history li').allTextContents()).some((x) => x.includes('monitor1'))).toBe(true);
  await page.context().close();
});
