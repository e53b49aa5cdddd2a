// The same detector, tickets, escalation and coverage on the embedded PGlite the all-in-one start uses by default.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import type { TimedInput } from '../../analytics/status/status-processor.ts';
import { embeddedDb, type TestDb } from '../helpers/db.ts';
import { importCity, testContext, tinyCity, type TestContext } from './helpers/analytics-context.ts';

let tdb: TestDb;
let ctx: TestContext;
let svc: AnalyticsService;
beforeAll(async () => {
  tdb = await embeddedDb();
  ctx = await testContext({}, tdb);
  await importCity(ctx, tinyCity('e-'));
  svc = new AnalyticsService(ctx, { group: 'unused' });
});
afterAll(async () => {
  await ctx?.close();
  await tdb?.close();
});

const check = (cameraId: string, ts: number, ok: boolean): TimedInput => ({
  cameraId,
  ts,
  input: ok ? { type: 'check', ok: true } : { type: 'check', ok: false, cause: 'unreachable' },
});

it('when a camera goes down and comes back on PGlite, then one ticket opens, escalates once per level and resolves itself', async () => {
  const t0 = ctx.clock.now().getTime();
  await svc.status.process(['e-A', 'e-B', 'e-C'].map((id) => check(id, t0, true)));
  await svc.status.process([check('e-A', t0 + 1000, false)]);
  await svc.status.process([check('e-A', t0 + 2000, false), check('e-B', t0 + 2000, false)]);
  const [t] = (await svc.repairs.repo.list({ camera: 'e-A' }, ctx.clock.now())).items;
  expect(t).toMatchObject({ state: 'open', cause: 'unreachable', escalationLevel: 0 });
  expect((await svc.status.repo.state('e-B'))?.status).toBe('suspect');
  await svc.repairs.escalate(new Date(t0 + 2000 + 30_000));
  await svc.repairs.escalate(new Date(t0 + 2000 + 60_000));
  await svc.repairs.escalate(new Date(t0 + 2000 + 60_000));
  expect((await svc.alerts.repo.list({ kind: 'repair_overdue' })).total).toBe(1);
  expect((await svc.alerts.repo.list({ kind: 'repair_escalated' })).total).toBe(1);
  await svc.status.process([check('e-A', t0 + 100_000, true)]);
  await svc.status.tick(new Date(t0 + 110_000));
  const [done] = (await svc.repairs.repo.list({ camera: 'e-A' }, ctx.clock.now())).items;
  expect(done).toMatchObject({ state: 'resolved', repairSeconds: 98 });
  const rows = await svc.coverage.recompute(new Date(t0 + 110_000));
  expect(rows.find((r) => r.unitId === 'CELL1')?.rate).toBeCloseTo(1, 2);
});
