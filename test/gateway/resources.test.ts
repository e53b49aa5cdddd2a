// Every role against every gateway resource: what each sees, what it may do, and that out of scope means 403/404/empty.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gatewayTest, type GatewayTest } from './gateway-context.ts';
import { ALERTS, seed } from './seed.ts';

let t: GatewayTest;
const tokens: Record<string, Record<string, string>> = {};
beforeAll(async () => {
  t = await gatewayTest();
  await seed(t.ctx.db);
  for (const u of ['admin', 'monitor1', 'manager1', 'supervisor1']) tokens[u] = bearer(await t.login(u));
});
afterAll(async () => t?.close());

const get = async (user: string, url: string) => {
  const r = await t.app.inject({ url, headers: tokens[user] });
  return { status: r.statusCode, body: r.statusCode === 200 ? r.json() : r.json() };
};
const ids = (body: { items: Array<{ id?: string; alertId?: string }> }) => body.items.map((x) => x.id ?? x.alertId).sort();

describe('cameras', () => {
  it('when each role lists cameras, then each sees only its scope', async () => {
    expect((await get('admin', '/api/v1/cameras?limit=100')).body.total).toBe(12);
    expect((await get('supervisor1', '/api/v1/cameras')).body.total).toBe(12);
    const mon = (await get('monitor1', '/api/v1/cameras?limit=100')).body;
    expect(mon.total).toBe(6);
    expect(mon.items.every((c: { districtId: string }) => c.districtId === 'd1')).toBe(true);
    const mgr = (await get('manager1', '/api/v1/cameras')).body;
    expect(mgr.items.map((c: { cellId: string }) => c.cellId)).toEqual(['d1-cell1', 'd1-cell1', 'd1-cell1']);
  });

  it('when filtering, sorting and paging, then the answer says page, limit and total', async () => {
    const r = (await get('admin', '/api/v1/cameras?district=d2&priority=key&sort=-name&page=1&limit=1')).body;
    expect(r).toMatchObject({ page: 1, limit: 1, total: 2 });
    expect(r.items[0]).toMatchObject({ districtId: 'd2', priority: 'key' });
    const p2 = (await get('admin', '/api/v1/cameras?district=d2&priority=key&sort=-name&page=2&limit=1')).body;
    expect(p2.items[0].name < r.items[0].name).toBe(true);
    expect((await get('admin', '/api/v1/cameras?status=offline')).body.total).toBe(0);
    expect((await get('admin', '/api/v1/cameras?q=cam-012')).body.items.map((c: { id: string }) => c.id)).toEqual(['cam-012']);
  });

  it('when a monitor asks for another district, then the list is empty and the detail is 404', async () => {
    expect((await get('monitor1', '/api/v1/cameras?district=d2')).body.total).toBe(0);
    expect((await get('monitor1', '/api/v1/cameras/cam-007')).status).toBe(404);
    expect((await get('monitor1', '/api/v1/cameras/cam-001')).body).toMatchObject({ id: 'cam-001', districtId: 'd1' });
    expect((await get('manager1', '/api/v1/cameras/cam-004')).status).toBe(404);
    expect((await get('manager1', '/api/v1/cameras/cam-001')).status).toBe(200);
  });

  it('when a query parameter is bad, then 400 names it', async () => {
    const r = await get('admin', '/api/v1/cameras?status=broken');
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('querystring.status');
    expect((await get('admin', '/api/v1/cameras?limit=0')).body.field).toBe('querystring.limit');
    expect((await get('admin', '/api/v1/cameras?colour=red')).body.field).toBe('querystring.colour');
  });
});

describe('doors and door events', () => {
  it('when each role lists doors, then managers see their compound, monitors their district, supervisors nothing', async () => {
    expect((await get('admin', '/api/v1/doors')).body.total).toBe(5);
    expect(ids((await get('monitor1', '/api/v1/doors')).body)).toEqual(['p1-door1', 'p1-door2', 'p1-door3', 'p2-door1']);
    expect(ids((await get('manager1', '/api/v1/doors')).body)).toEqual(['p1-door1', 'p1-door2', 'p1-door3']);
    expect((await get('supervisor1', '/api/v1/doors')).status).toBe(403);
    expect((await get('manager1', '/api/v1/doors/p3-door1')).status).toBe(404);
    expect((await get('manager1', '/api/v1/doors?q=garage')).body.items[0]).toMatchObject({
      id: 'p1-door3',
      propertyName: 'Lanting Garden',
    });
  });

  it('when each role lists door events, then only its compounds appear, filtered by door, type and time', async () => {
    const all = (await get('admin', '/api/v1/door-events?limit=100')).body;
    expect(all.total).toBe(20);
    const mgr = (await get('manager1', '/api/v1/door-events?limit=100')).body;
    expect(mgr.total).toBe(10);
    expect(new Set(mgr.items.map((e: { propertyId: string }) => e.propertyId))).toEqual(new Set(['p1']));
    expect((await get('manager1', '/api/v1/door-events?property=p3')).body.total).toBe(0);
    expect((await get('monitor1', '/api/v1/door-events')).body.total).toBe(15);
    expect((await get('supervisor1', '/api/v1/door-events')).status).toBe(403);
    const forced = (await get('admin', '/api/v1/door-events?type=forced_open&door=p1-door1')).body;
    expect(forced.total).toBe(1);
    expect(forced.items[0]).toMatchObject({ doorName: 'North gate', propertyName: 'Lanting Garden', type: 'forced_open' });
    const from = new Date(Date.now() - 2.5 * 60_000).toISOString();
    expect((await get('admin', `/api/v1/door-events?from=${encodeURIComponent(from)}`)).body.total).toBe(8);
    const asc = (await get('admin', '/api/v1/door-events?sort=ts&limit=2')).body.items;
    expect(asc[0].ts <= asc[1].ts).toBe(true);
    expect((await get('admin', '/api/v1/door-events?from=yesterday')).body.field).toBe('querystring.from');
  });
});

describe('alerts', () => {
  it('when each role lists alerts, then monitors see their district, managers their compound, supervisors the city', async () => {
    expect((await get('admin', '/api/v1/alerts')).body.total).toBe(4);
    expect(ids((await get('monitor1', '/api/v1/alerts')).body)).toEqual([ALERTS.d1Camera.alertId, ALERTS.p1Forced.alertId].sort());
    expect(ids((await get('manager1', '/api/v1/alerts')).body)).toEqual([ALERTS.p1Forced.alertId]);
    expect((await get('supervisor1', '/api/v1/alerts')).body.total).toBe(4);
    const bySeverity = (await get('admin', '/api/v1/alerts?sort=severity')).body.items.map((a: { severity: string }) => a.severity);
    expect(bySeverity).toEqual(['critical', 'high', 'medium', 'low']);
    expect((await get('admin', '/api/v1/alerts?kind=door_forced&severity=critical')).body.total).toBe(1);
    expect((await get('manager1', `/api/v1/alerts/${ALERTS.p3Forced.alertId}`)).status).toBe(404);
  });

  it('when someone acknowledges and resolves an alert in scope, then it changes and alertUpdated goes out on the bus', async () => {
    const seen: string[] = [];
    await t.ctx.bus.subscribe('alertUpdated', async (a) => void seen.push(`${a.alertId}:${a.state}`));
    const id = ALERTS.p1Forced.alertId;
    const ack = await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/ack`, headers: tokens.manager1 });
    expect(ack.statusCode).toBe(200);
    expect(ack.json()).toMatchObject({ state: 'acknowledged', ackedBy: 'manager1' });
    const res = await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/resolve`, headers: tokens.monitor1 });
    expect(res.json()).toMatchObject({ state: 'resolved', resolvedBy: 'monitor1' });
    await expect.poll(() => seen).toEqual([`${id}:acknowledged`, `${id}:resolved`]);
    expect((await get('admin', '/api/v1/alerts?state=resolved')).body.total).toBe(1);
  });

  it('when the alert is out of scope or the role only reads, then nothing changes', async () => {
    const id = ALERTS.p3Forced.alertId;
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/ack`, headers: tokens.manager1 })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/ack`, headers: tokens.monitor1 })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: `/api/v1/alerts/${id}/ack`, headers: tokens.supervisor1 })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'POST', url: '/api/v1/alerts/not-a-uuid/ack', headers: tokens.admin })).json().field).toBe(
      'params.id',
    );
    expect((await get('admin', `/api/v1/alerts/${id}`)).body.state).toBe('open');
  });
});

describe('dead letters, metrics, docs', () => {
  it('when a non-admin asks for dead letters, then 403; admin sees them', async () => {
    for (const u of ['monitor1', 'manager1', 'supervisor1']) expect((await get(u, '/api/v1/dead-letters')).status).toBe(403);
    expect((await t.app.inject({ url: '/api/v1/dead-letters' })).statusCode).toBe(401);
    const r = (await get('admin', '/api/v1/dead-letters?source=door-intake')).body;
    expect(r).toMatchObject({ total: 1, page: 1 });
    expect(r.items[0]).toMatchObject({ reason: 'unknown door', reasonClass: 'unknown door', payload: '{}', size: 2, storedBytes: 2 });
  });

  it('when Prometheus scrapes /metrics, then it gets events, dead letters, queues and alert counts', async () => {
    const r = await t.app.inject({ url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/plain/);
    expect(r.body).toMatch(/^gridwatch_door_events_total 20$/m);
    expect(r.body).toMatch(/^gridwatch_dead_letters_total 1$/m);
    expect(r.body).toMatch(/^gridwatch_queue_depth\{queue="bus_unacked"\} \d+$/m);
    expect(r.body).toMatch(/^gridwatch_alerts_open\{severity="critical"\} 1$/m);
    expect(r.body).toMatch(/^gridwatch_cameras\{status="unknown"\} 12$/m);
  });

  it('when the OpenAPI document is fetched, then every resource is documented with its parameters', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json();
    for (const p of [
      '/api/v1/cameras/',
      '/api/v1/doors/',
      '/api/v1/door-events/',
      '/api/v1/alerts/',
      '/api/v1/alerts/{id}/ack',
      '/api/v1/dead-letters/',
      '/api/v1/auth/login',
    ]) {
      expect(Object.keys(doc.paths)).toContain(p);
    }
    const params = doc.paths['/api/v1/cameras/'].get.parameters.map((x: { name: string }) => x.name);
    expect(params).toEqual(expect.arrayContaining(['status', 'district', 'cell', 'priority', 'page', 'limit', 'sort']));
  });
});
