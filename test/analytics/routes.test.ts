// The repairs, coverage and reports API on the real gateway app (fastify inject), fed by the analytics services.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import type { TimedInput } from '../../analytics/status/status-processor.ts';
import { ManualClock } from '../../core/clock.ts';
import { bearer, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';

let t: GatewayTest;
let analytics: AnalyticsService;
const tokens: Record<string, Record<string, string>> = {};
const now = Date.now();
const T0 = now - 3_600_000;
const clock = new ManualClock(T0);

const check = (cameraId: string, ts: number, ok: boolean): TimedInput => ({
  cameraId,
  ts,
  input: ok ? { type: 'check', ok: true } : { type: 'check', ok: false, cause: 'unreachable' },
});

beforeAll(async () => {
  t = await gatewayTest({ env: { REPAIR_SLA_KEY: '10s', REPAIR_SLA_NORMAL: '30s', REPAIR_SLA_REMOTE: '60s', REPAIR_STABLE_FOR: '10s' } });
  for (const u of ['admin', 'monitor1', 'manager1', 'supervisor1']) tokens[u] = bearer(await t.login(u));
  analytics = new AnalyticsService({ ...t.ctx, clock }, { group: `t-${randomBytes(3).toString('hex')}` });
  const cams = Array.from({ length: 12 }, (_, i) => `cam-${String(i + 1).padStart(3, '0')}`);
  await analytics.status.process(cams.map((id) => check(id, T0, true)));
  await analytics.coverage.recompute(new Date(T0));
  // cam-001 (d1, key), cam-002 (d1, normal) and cam-007 (d2, key) go down; cam-002 comes back after 100 s.
  for (const dt of [1000, 2000]) await analytics.status.process(['cam-001', 'cam-002', 'cam-007'].map((id) => check(id, T0 + dt, false)));
  await analytics.status.process([check('cam-002', T0 + 100_000, true)]);
  await analytics.status.process([check('cam-002', T0 + 110_000, true)]);
  clock.set(new Date(now));
  await analytics.repairs.escalate(new Date(now));
  await analytics.coverage.recompute(new Date(now));
});
afterAll(async () => t?.close());

const get = async (user: string, url: string) => {
  const r = await t.app.inject({ url, headers: tokens[user] });
  return { status: r.statusCode, body: r.json(), headers: r.headers };
};
const patch = async (user: string, url: string, payload: unknown) => {
  const r = await t.app.inject({ method: 'PATCH', url, headers: tokens[user], payload: payload as object });
  return { status: r.statusCode, body: r.json() };
};
const cameraIds = (b: { items: { cameraId: string }[] }) => b.items.map((x) => x.cameraId).sort();

describe('GET /api/v1/repairs', () => {
  it('when listing with filters and pages, then each ticket carries its camera, deadline, escalation level and history', async () => {
    const all = (await get('admin', '/api/v1/repairs')).body;
    expect(all.total).toBe(3);
    expect(cameraIds(all)).toEqual(['cam-001', 'cam-002', 'cam-007']);
    const t1 = all.items.find((x: { cameraId: string }) => x.cameraId === 'cam-001');
    expect(t1).toMatchObject({
      state: 'open',
      escalationLevel: 2,
      overdue: true,
      district: 'd1',
      unit: 'mu1',
      camera: { id: 'cam-001', priority: 'key', status: 'offline', districtId: 'd1' },
    });
    expect(Date.parse(t1.deadline) - Date.parse(t1.openedAt)).toBe(10_000);
    expect(t1.history.map((h: { note?: string }) => h.note)).toEqual([
      expect.stringMatching(/^opened/),
      expect.stringMatching(/level 1/),
      expect.stringMatching(/level 2/),
    ]);
    expect(cameraIds((await get('admin', '/api/v1/repairs?overdue=true')).body)).toEqual(['cam-001', 'cam-007']);
    expect(cameraIds((await get('admin', '/api/v1/repairs?district=d2')).body)).toEqual(['cam-007']);
    expect(cameraIds((await get('admin', '/api/v1/repairs?unit=mu1')).body)).toEqual(['cam-001', 'cam-002']);
    const resolved = (await get('admin', '/api/v1/repairs?state=resolved')).body;
    expect(resolved.items).toHaveLength(1);
    expect(resolved.items[0]).toMatchObject({ cameraId: 'cam-002', repairSeconds: 98, overdue: false });
    const p2 = (await get('admin', '/api/v1/repairs?limit=2&page=2')).body;
    expect(p2).toMatchObject({ page: 2, limit: 2, total: 3 });
    expect(p2.items).toHaveLength(1);
  });

  it('when each role lists tickets, then monitors see their district, supervisors the city, property managers nothing', async () => {
    expect(cameraIds((await get('monitor1', '/api/v1/repairs')).body)).toEqual(['cam-001', 'cam-002']);
    expect((await get('supervisor1', '/api/v1/repairs')).body.total).toBe(3);
    expect((await get('manager1', '/api/v1/repairs')).status).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/repairs' })).statusCode).toBe(401);
    expect((await get('admin', '/api/v1/repairs?state=broken')).body.field).toBe('querystring.state');
  });

  it('when a monitor dispatches, works and resolves a ticket, then each change is recorded with who, when and the note', async () => {
    const id = (await get('monitor1', '/api/v1/repairs?camera=cam-001')).body.items[0].ticketId;
    const d = await patch('monitor1', `/api/v1/repairs/${id}`, { state: 'dispatched', note: 'crew 3 on the way' });
    expect(d.status).toBe(200);
    expect(d.body.state).toBe('dispatched');
    expect(d.body.history.at(-1)).toMatchObject({ actor: 'monitor1', from: 'open', to: 'dispatched', note: 'crew 3 on the way' });
    expect((await patch('monitor1', `/api/v1/repairs/${id}`, { state: 'closed' })).status).toBe(409);
    const wrongUnit = await patch('monitor1', `/api/v1/repairs/${id}`, { unit: 'mu2' });
    expect(wrongUnit.status).toBe(400);
    expect(wrongUnit.body.field).toBe('body.unit');
    expect((await patch('monitor1', `/api/v1/repairs/${id}`, {})).status).toBe(400);
    const noted = await t.app.inject({
      method: 'POST',
      url: `/api/v1/repairs/${id}/notes`,
      headers: tokens.supervisor1,
      payload: { note: 'supervision order issued' },
    });
    expect(noted.statusCode).toBe(200);
    expect(noted.json().history.at(-1)).toMatchObject({ actor: 'supervisor1', note: 'supervision order issued' });
    const w = await patch('admin', `/api/v1/repairs/${id}`, { state: 'in_progress' });
    expect(w.body.state).toBe('in_progress');
    const r = await patch('admin', `/api/v1/repairs/${id}`, { state: 'resolved', note: 'replaced PSU' });
    expect(r.body).toMatchObject({ state: 'resolved', overdue: false });
    expect(r.body.repairSeconds).toBeGreaterThan(3000);
    expect((await patch('admin', `/api/v1/repairs/${id}`, { state: 'closed' })).body.state).toBe('closed');
    const other = (await get('admin', '/api/v1/repairs?camera=cam-007')).body.items[0].ticketId;
    expect((await patch('monitor1', `/api/v1/repairs/${other}`, { state: 'dispatched' })).status).toBe(404);
  });
});

describe('GET /api/v1/coverage', () => {
  it('when listing districts, then rates and camera counts are per district in scope, with the hourly series on request', async () => {
    const d = (await get('admin', '/api/v1/coverage?level=district&series=true')).body;
    expect(d.items.map((x: { unitId: string }) => x.unitId)).toEqual(['d1', 'd2']);
    const d1 = d.items[0];
    expect(d1).toMatchObject({ camerasTotal: 6, camerasUp: 5, level: 'district' });
    expect(d1.rate).toBeGreaterThan(0);
    expect(d1.rate).toBeLessThan(d1.potentialM2 / d1.areaM2);
    expect(d1.series.length).toBeGreaterThanOrEqual(1);
    expect((await get('monitor1', '/api/v1/coverage?level=district')).body.items.map((x: { unitId: string }) => x.unitId)).toEqual(['d1']);
    const cells = (await get('monitor1', '/api/v1/coverage?level=cell')).body.items;
    expect(cells.every((c: { districtId: string }) => c.districtId === 'd1')).toBe(true);
    const one = (await get('admin', '/api/v1/coverage/d1-cell1')).body;
    expect(one.unitId).toBe('d1-cell1');
    expect(one.series.map((p: { ts: string }) => p.ts)).toContain(new Date(Math.floor(now / 3_600_000) * 3_600_000).toISOString());
    expect((await get('monitor1', '/api/v1/coverage/d2-cell1')).status).toBe(404);
  });
});

describe('GET /api/v1/reports', () => {
  const period = `from=${new Date(T0 - 60_000).toISOString()}&to=${new Date(now + 60_000).toISOString()}`;

  it('when asking for the outage report, then uptime, outages, MTTR, SLA compliance and overdue tickets per district and unit', async () => {
    const r = (await get('admin', `/api/v1/reports/outages?${period}`)).body;
    const districts = r.tables.find((x: { name: string }) => x.name === 'districts').rows;
    // Districts by name, not id (`d1`).
    const d1 = districts.find((x: { district: string }) => x.district === 'District 1');
    const d2 = districts.find((x: { district: string }) => x.district === 'District 2');
    expect(d1).toMatchObject({ cameras: 6, outages: 2, ticketsOpened: 2 });
    expect(d2).toMatchObject({ cameras: 6, outages: 1, ticketsOpened: 1, ticketsResolved: 0, overdueNow: 1, escalated: 1 });
    expect(d1.uptimePct).toBeLessThan(100);
    expect(d2.uptimePct).toBeGreaterThan(d1.uptimePct - 100);
    expect(d1.ticketsResolved).toBe(2);
    const units = r.tables.find((x: { name: string }) => x.name === 'overdueByUnit').rows;
    expect(units).toEqual([expect.objectContaining({ district: 'District 2', unit: 'mu2', overdue: 1 })]);
    const mon = (await get('monitor1', `/api/v1/reports/outages?${period}`)).body;
    expect(mon.tables[0].rows.map((x: { district: string }) => x.district)).toEqual(['District 1']);
  });

  it('when asking for CSV or PDF, then the same report downloads in that format', async () => {
    const csv = await t.app.inject({ url: `/api/v1/reports/outages?${period}&format=csv`, headers: tokens.supervisor1 });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toMatch(/District,Cameras,Uptime %,Outages/);
    expect(csv.body).toMatch(/\nDistrict 2,6,/);
    const pdf = await t.app.inject({ url: `/api/v1/reports/coverage?${period}&format=pdf`, headers: tokens.supervisor1 });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(
      (await get('admin', `/api/v1/reports/outages?from=${new Date(now).toISOString()}&to=${new Date(T0).toISOString()}`)).status,
    ).toBe(400);
  });

  it('when asking in Chinese, then titles and column heads are Chinese in JSON, CSV and PDF, the figures unchanged; an unknown language is a 400', async () => {
    const en = (await get('admin', `/api/v1/reports/outages?${period}`)).body;
    const zh = (await get('admin', `/api/v1/reports/outages?${period}&lang=zh-CN`)).body;
    expect(zh).toMatchObject({ lang: 'zh-CN', title: '摄像机故障与维修' });
    expect(zh.tables[0]).toMatchObject({ title: '按区县', columns: expect.arrayContaining([{ key: 'uptimePct', title: '在线率 %' }]) });
    // The same figures; district names in the report's language.
    const zhName = (d: unknown) => ({ 'District 1': '区1', 'District 2': '区2' })[d as string] ?? d;
    expect(zh.tables.map((x: { rows: Record<string, unknown>[] }) => x.rows)).toEqual(
      en.tables.map((x: { rows: Record<string, unknown>[] }) => x.rows.map((r) => ({ ...r, district: zhName(r.district) }))),
    );
    expect(zh.tables[0].rows.map((x: { district: string }) => x.district).sort()).toEqual(['区1', '区2']);
    const csv = await t.app.inject({ url: `/api/v1/reports/outages?${period}&format=csv&lang=zh-CN`, headers: tokens.supervisor1 });
    expect(csv.body).toMatch(/^# 摄像机故障与维修/);
    expect(csv.body).toMatch(/区县,摄像机数,在线率 %,故障次数/);
    const pdf = await t.app.inject({ url: `/api/v1/reports/coverage?${period}&format=pdf&lang=zh-CN`, headers: tokens.supervisor1 });
    expect(pdf.statusCode).toBe(200);
    // Chinese heads are drawn in the CJK font from npm (no system font needed) and read back as Chinese text; the
    // English PDF of the same data embeds no font.
    expect(pdf.rawPayload.toString('latin1')).toMatch(/NotoSansHans/);
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf.rawPayload)), { mergePages: true });
    expect(text).toContain('覆盖率');
    expect(text).toContain('区1');
    const enPdf = await t.app.inject({ url: `/api/v1/reports/coverage?${period}&format=pdf`, headers: tokens.supervisor1 });
    expect(enPdf.rawPayload.toString('latin1')).not.toMatch(/NotoSansHans/);
    const bad = await get('admin', `/api/v1/reports/outages?${period}&lang=fr`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('querystring.lang');
  });

  it('when asking for the coverage report, then each district and cell has its mean, lowest and latest rate', async () => {
    const r = (await get('admin', `/api/v1/reports/coverage?${period}&district=d1`)).body;
    const rows = r.tables.find((x: { name: string }) => x.name === 'districts').rows;
    expect(rows.map((x: { unit: string }) => x.unit)).toEqual(['d1']);
    expect(rows[0].hours).toBeGreaterThanOrEqual(1);
    expect(rows[0].minPct).toBeLessThanOrEqual(rows[0].meanPct);
    const cells = r.tables.find((x: { name: string }) => x.name === 'cells').rows;
    expect(cells.map((x: { unit: string }) => x.unit)).toEqual(['d1-cell1', 'd1-cell2']);
  });
});
