// Two analytics workers on one MQTT 5 shared subscription (real Mosquitto) and one database split the cameras
// between them and never raise an alert or open a ticket twice.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import { eventually, importCity, sample, testContext, tinyCity, type TestContext } from './helpers/analytics-context.ts';

const P = `w${randomBytes(3).toString('hex')}-`;
const city = tinyCity(P, 37);
const cameras = city.cameras.map((c) => c.id);
let ctx1: TestContext;
let ctx2: TestContext;
let w1: AnalyticsService;
let w2: AnalyticsService;

beforeAll(async () => {
  ctx1 = await testContext();
  ctx2 = await testContext({}, ctx1.testDb);
  await importCity(ctx1, city);
  const group = `t-${P}`;
  w1 = new AnalyticsService(ctx1, { group });
  w2 = new AnalyticsService(ctx2, { group });
  await w1.start();
  await w2.start();
});
afterAll(async () => {
  await w1?.stop();
  await w2?.stop();
  await ctx2?.close();
  await ctx1?.close();
});

const processed = () => w1.status.processed + w2.status.processed;
const count = async (kind: string) => (await w1.alerts.repo.list({ kind, limit: 1000 })).total;

/** One heartbeat round for every camera, like ingest's; waits until both workers have handled all of it. */
async function round(reachable: boolean) {
  const target = processed() + cameras.length;
  const now = ctx1.clock.now();
  await Promise.all(cameras.map((id) => ctx1.bus.publish('healthSample', { cameraId: id }, sample(id, now, reachable))));
  await eventually(async () => processed() >= target);
  ctx1.clock.advance(1000);
  ctx2.clock.set(ctx1.clock.now());
}

describe('two analytics workers', () => {
  it('when every camera goes offline, then the workers share the samples and each camera has one ticket and one alert', async () => {
    await round(true);
    await round(false);
    await round(false);
    await round(false);
    expect(w1.status.processed).toBeGreaterThan(0);
    expect(w2.status.processed).toBeGreaterThan(0);
    expect(processed()).toBe(cameras.length * 4);
    const tickets = await w1.repairs.repo.list({ limit: 500 }, ctx1.clock.now());
    expect(tickets.total).toBe(cameras.length);
    expect(new Set(tickets.items.map((t) => t.cameraId)).size).toBe(cameras.length);
    expect(await count('camera_offline')).toBe(cameras.length);
  });

  it('when both workers tick past the deadlines at the same time, then each ticket has one level-1 and one level-2 alert', async () => {
    ctx1.clock.advance(35_000); // past the normal SLA (30 s), before 2 × SLA
    ctx2.clock.set(ctx1.clock.now());
    await Promise.all([w1.tick(), w2.tick(), w1.tick(), w2.tick()]);
    await Promise.all([w1.repairs.escalate(), w2.repairs.escalate()]);
    // Key cameras (10 s SLA) are past 2 × SLA already; normal ones at level 1; the remote one (60 s) not due yet.
    const byPriority = (p: string) => city.cameras.filter((c) => c.priority === p).length;
    const overdue = (await w1.repairs.repo.list({ overdue: true, limit: 500 }, ctx1.clock.now())).total;
    expect(overdue).toBe(cameras.length - byPriority('remote'));
    expect(await count('repair_overdue')).toBe(cameras.length - byPriority('remote'));
    expect(await count('repair_escalated')).toBe(byPriority('key'));
    ctx1.clock.advance(200_000);
    ctx2.clock.set(ctx1.clock.now());
    await Promise.all([w1.repairs.escalate(), w2.repairs.escalate(), w1.repairs.escalate()]);
    expect(await count('repair_overdue')).toBe(cameras.length);
    expect(await count('repair_escalated')).toBe(cameras.length);
  });

  it('when both workers recompute coverage at once, then one gap alert per cell', async () => {
    await Promise.all([w1.coverage.recompute(ctx1.clock.now()), w2.coverage.recompute(ctx2.clock.now())]);
    await Promise.all([w1.coverage.recompute(ctx1.clock.now()), w2.coverage.recompute(ctx2.clock.now())]);
    const gaps = (await w1.alerts.repo.list({ kind: 'coverage_gap' })).items.map((a) => a.subjectId).sort();
    expect(gaps).toEqual(['CELL1', 'CELL2']);
  });

  it('when one worker changes a camera another has cached, then the other continues from the database state', async () => {
    const id = cameras[0];
    const at = (dt: number) => ctx1.clock.now().getTime() + dt;
    const check = (ok: boolean, ts: number) => ({
      cameraId: id,
      ts,
      input: ok ? ({ type: 'check', ok: true } as const) : ({ type: 'check', ok: false, cause: 'unreachable' } as const),
    });
    // The camera is offline (first test); back, then stable: w1 caches it online.
    await w1.status.process([check(true, at(1000))]);
    await w1.status.process([check(true, at(20_000))]);
    expect((await w1.status.repo.state(id))?.status).toBe('online');
    // w2 sees one failure (suspect), w1 — with an older cached copy — sees the next: two in a row, offline.
    await w2.status.process([check(false, at(21_000))]);
    await w1.status.process([check(false, at(22_000))]);
    expect((await w1.status.repo.state(id))?.status).toBe('offline');
    const tickets = (await w1.repairs.repo.list({ camera: id }, ctx1.clock.now())).items;
    expect(tickets.map((t) => t.state).sort()).toEqual(['open', 'resolved']);
  });
});
