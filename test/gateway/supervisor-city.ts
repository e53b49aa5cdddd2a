// The gateway tests' small city with what supervisors are judged on: maintenance units named in Chinese and four key
// locations, two in view of cameras that stay up (cam-004, cam-008), one only of cam-001 and one of no camera.
import { randomBytes } from 'node:crypto';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import type { TimedInput } from '../../analytics/status/status-processor.ts';
import type { City } from '../../core/city/city.schema.ts';
import { ManualClock } from '../../core/clock.ts';
import type { GatewayTest } from './gateway-context.ts';
import { testCity } from './test-city.ts';

export function supervisorCity(): City {
  const city = testCity();
  return {
    ...city,
    maintenanceUnits: [
      { id: 'mu1', name: 'Unit 1', nameZh: '一号运维队', districtId: 'd1' },
      { id: 'mu2', name: 'Unit 2', nameZh: '二号运维队', districtId: 'd2' },
    ],
    // Cameras stand at lon 119.01 + n × 0.001, lat 25.401, looking east 50 m: 0.0002° east is ~20 m in front.
    keyLocations: [
      {
        id: 'kl-1',
        kind: 'school_gate',
        name: 'School 1 gate',
        nameZh: '第一小学大门',
        lon: 119.0142,
        lat: 25.401,
        cellId: 'd1-cell2',
        districtId: 'd1',
      },
      {
        id: 'kl-2',
        kind: 'junction',
        name: 'Junction 2',
        nameZh: '二号路口',
        lon: 119.0112,
        lat: 25.401,
        cellId: 'd1-cell1',
        districtId: 'd1',
      },
      {
        id: 'kl-3',
        kind: 'bus_stop',
        name: 'Bus stop 3',
        nameZh: '三号公交站',
        lon: 119.03,
        lat: 25.45,
        cellId: 'd1-cell1',
        districtId: 'd1',
      },
      {
        id: 'kl-4',
        kind: 'compound_gate',
        name: 'Hanjiang Estate gate',
        nameZh: '涵江小区大门',
        lon: 119.0182,
        lat: 25.401,
        cellId: 'd2-cell1',
        districtId: 'd2',
      },
    ],
  };
}

/**
 * Camera history through the analytics services: every camera online at t0; `down` unreachable from t0+1 s on,
 * `brief` unreachable from t0+1 s for 99 s, `black` reachable with a black picture for 600 s from t0+5 s; then the
 * repair clock run at `end` (overdue tickets escalate).
 */
export async function statusHistory(
  g: GatewayTest,
  t0: number,
  end: number,
  c: { all: string[]; down: string[]; brief: string[]; black: string[] },
): Promise<void> {
  const clock = new ManualClock(t0);
  const analytics = new AnalyticsService({ ...g.ctx, clock }, { group: `sup-${randomBytes(3).toString('hex')}` });
  const check = (cameraId: string, ts: number, ok: boolean): TimedInput => ({
    cameraId,
    ts,
    input: ok ? { type: 'check', ok: true } : { type: 'check', ok: false, cause: 'unreachable' },
  });
  await analytics.status.process(c.all.map((id) => check(id, t0, true)));
  for (const dt of [1000, 2000]) await analytics.status.process([...c.down, ...c.brief].map((id) => check(id, t0 + dt, false)));
  await analytics.status.process(c.black.map((cameraId) => ({ cameraId, ts: t0 + 5000, input: { type: 'quality', issue: 'black' } })));
  for (const dt of [100_000, 110_000]) await analytics.status.process(c.brief.map((id) => check(id, t0 + dt, true)));
  await analytics.status.process(c.black.map((cameraId) => ({ cameraId, ts: t0 + 605_000, input: { type: 'quality', issue: null } })));
  clock.set(new Date(end));
  await analytics.repairs.escalate(new Date(end));
}
