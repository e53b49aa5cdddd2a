// The supervisor API on real outages made by the analytics services: online and intact rates per district, key
// locations covered only by watching cameras, and the rectification notice as CSV and as a PDF whose text is Chinese.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractText, getDocumentProxy } from 'unpdf';
import { CityRepository } from '../../core/db/repositories/city.repository.ts';
import type { Figures } from '../../gateway/routes/supervisor/supervisor.schema.ts';
import { UsersRepository } from '../../core/db/repositories/users.repository.ts';
import { hashPassword } from '../../gateway/auth/passwords.ts';
import { bearer, gatewayTest, PASSWORD, type GatewayTest } from './gateway-context.ts';
import { statusHistory, supervisorCity } from './supervisor-city.ts';

let t: GatewayTest;
const now = Date.now();
const T0 = now - 3_600_000;
const HOUR = 3600;

beforeAll(async () => {
  t = await gatewayTest({
    city: false,
    env: { REPAIR_SLA_KEY: '10s', REPAIR_SLA_NORMAL: '30s', REPAIR_SLA_REMOTE: '60s', REPAIR_STABLE_FOR: '10s' },
  });
  await new CityRepository(t.testDb.db).importCity(supervisorCity());
  // cam-001 (d1) and cam-007 (d2) unreachable from T0+1 s on, cam-002 (d1) for 99 s, cam-003 (d1) black for 600 s.
  const all = Array.from({ length: 12 }, (_, i) => `cam-${String(i + 1).padStart(3, '0')}`);
  await statusHistory(t, T0, now, { all, down: ['cam-001', 'cam-007'], brief: ['cam-002'], black: ['cam-003'] });
});
afterAll(async () => {
  await t?.close();
});

describe('supervisor figures', () => {
  const figures = async (query = '') => {
    const r = await t.app.inject({
      url: `/api/v1/supervisor/figures?from=${new Date(T0).toISOString()}${query}`,
      headers: bearer(await t.login('supervisor1')),
    });
    expect(r.statusCode, r.body).toBe(200);
    return r.json() as Figures;
  };

  it('when outages happened, then online and intact rates per district are the camera-time not lost to them', async () => {
    const f = await figures();
    const d1 = f.districts.find((d) => d.id === 'd1')!;
    const d2 = f.districts.find((d) => d.id === 'd2')!;
    expect(d1).toMatchObject({ name: 'District 1', nameZh: '区1', cameras: 6 });
    // d1: cam-001 down for the hour, cam-002 for ~99 s; cam-003 online but black for 600 s (intact only).
    const period = (Date.now() - T0) / 1000;
    expect(d1.onlineRate!).toBeCloseTo(1 - (HOUR + 99) / (6 * period), 2);
    expect(d1.intactRate!).toBeCloseTo(1 - (HOUR + 99 + 600) / (6 * period), 2);
    expect(d1.intactRate!).toBeLessThan(d1.onlineRate!);
    expect(d2.onlineRate!).toBeCloseTo(1 - HOUR / (6 * period), 2);
    expect(f.total.cameras).toBe(12);
    expect(f.towns.map((x) => x.id)).toEqual(['d1-t1', 'd2-t1']);
    expect(f.towns[0].onlineRate).toBeCloseTo(d1.onlineRate!, 6);
  });

  it('when a key location is in view only of a camera that is down, then it is not covered', async () => {
    const f = await figures();
    expect(f.districts.find((d) => d.id === 'd1')).toMatchObject({ keyLocations: 3, keyCovered: 1 });
    expect(f.districts.find((d) => d.id === 'd2')).toMatchObject({ keyLocations: 1, keyCovered: 1, keyCoverage: 1 });
    expect(f.total).toMatchObject({ keyLocations: 4, keyCovered: 2, keyCoverage: 0.5 });
    expect(f.uncovered.map((k) => k.id).sort()).toEqual(['kl-2', 'kl-3']);
    expect(f.keyKinds).toContainEqual({ kind: 'school_gate', total: 1, covered: 1, rate: 1 });
  });

  it('when cells are asked for, then each cell has its figures (for the map); without, none', async () => {
    const f = await figures('&cells=true');
    const cell = (id: string) => f.cells!.find((c) => c.id === id)!;
    expect(cell('d1-cell1')).toMatchObject({ districtId: 'd1', cameras: 3, keyLocations: 2, keyCovered: 0, keyCoverage: 0 });
    expect(cell('d1-cell2')).toMatchObject({ cameras: 3, keyLocations: 1, keyCovered: 1, onlineRate: 1, intactRate: 1 });
    expect(cell('d1-cell1').onlineRate!).toBeLessThan(1);
    expect((await figures()).cells).toBeUndefined();
  });

  it('when a district is asked for, then only its figures come back', async () => {
    const f = await figures('&district=d2');
    expect(f.districts.map((d) => d.id)).toEqual(['d2']);
    expect(f.total).toMatchObject({ cameras: 6, keyLocations: 1 });
  });

  it('when a district supervisor asks, then only their district is counted, whatever district they name', async () => {
    await new UsersRepository(t.ctx.db).insert({
      username: 'supervisor-d2',
      passwordHash: await hashPassword(PASSWORD),
      role: 'supervisor',
      districts: ['d2'],
    });
    const headers = bearer(await t.login('supervisor-d2'));
    const own = (await t.app.inject({ url: '/api/v1/supervisor/figures', headers })).json() as Figures;
    expect(own.districts.map((d) => d.id)).toEqual(['d2']);
    expect(own.total).toMatchObject({ cameras: 6, keyLocations: 1 });
    const other = (await t.app.inject({ url: '/api/v1/supervisor/figures?district=d1', headers })).json() as Figures;
    expect(other.districts).toEqual([]);
    expect(other.total.cameras).toBe(0);
    const csv = await t.app.inject({ url: '/api/v1/supervisor/notice?format=csv', headers });
    expect(csv.body).toContain('二号运维队');
    expect(csv.body).not.toContain('一号运维队');
  });

  it('when a monitor asks, then the answer is 403; a period that ends before it starts is 400', async () => {
    const r = await t.app.inject({ url: '/api/v1/supervisor/figures', headers: bearer(await t.login('monitor1')) });
    expect(r.statusCode).toBe(403);
    const bad = await t.app.inject({
      url: `/api/v1/supervisor/figures?from=${new Date(now).toISOString()}&to=${new Date(T0).toISOString()}`,
      headers: bearer(await t.login('supervisor1')),
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('querystring.from');
  });
});

describe('rectification notice', () => {
  const notice = async (query: string) =>
    t.app.inject({
      url: `/api/v1/supervisor/notice?from=${new Date(T0).toISOString()}&${query}`,
      headers: bearer(await t.login('supervisor1')),
    });

  it('when asked as PDF, then its text is Chinese: the title, the district and the unit names', async () => {
    const r = await notice('format=pdf&tz=Asia/Shanghai');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toBe('application/pdf');
    const pdf = await getDocumentProxy(new Uint8Array(r.rawPayload));
    const { text } = await extractText(pdf, { mergePages: true });
    expect(text).toContain('视频监控整改通知');
    expect(text).toContain('区1');
    expect(text).toContain('一号运维队');
    expect(text).toContain('二级督办');
    expect(text).toContain('一、总体情况');
  });

  it('when asked as CSV, then it carries the same ranking, times in the asked zone', async () => {
    const r = await notice('format=csv&tz=Europe/Berlin');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/csv/);
    expect(r.body.charCodeAt(0)).toBe(0xfeff);
    expect(r.body).toContain('视频监控整改通知');
    expect(r.body).toContain('Europe/Berlin');
    // The overview: each district's cameras and rates, key locations covered of all.
    expect(r.body).toMatch(/\n区1,6,\d+\.\d%,\d+\.\d%,33\.3% \(1\/3\)/);
    // Uncovered key locations by name and kind, in their cell by name.
    expect(r.body).toContain('三号公交站,公交站,区1,Cell d1/1');
    // Both units have one overdue ticket each (cam-001, cam-007); d2's higher online rate ranks it second.
    const lines = r.body.split(/\r?\n/);
    const head = lines.findIndex((l) => l.startsWith('排名,'));
    expect(lines[head + 1]).toMatch(/^1,一号运维队,区1,1,/);
    expect(lines[head + 2]).toMatch(/^2,二号运维队,区2,1,/);
  });

  it('when the time zone is unknown, then the answer is 400 naming it', async () => {
    const r = await notice('tz=Mars/Olympus');
    expect(r.statusCode).toBe(400);
    expect(r.json().field).toBe('querystring.tz');
  });
});

it('when the city has no cameras yet, then the figures are empty and the rates null', async () => {
  const empty = await gatewayTest({ city: false });
  try {
    const r = await empty.app.inject({ url: '/api/v1/supervisor/figures', headers: bearer(await empty.login('admin')) });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      total: { cameras: 0, onlineRate: null, intactRate: null, keyLocations: 0, keyCoverage: null },
      districts: [],
    });
  } finally {
    await empty.close();
  }
});
