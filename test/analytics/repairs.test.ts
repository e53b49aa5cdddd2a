// Outage → repair ticket → escalation → automatic resolution, through the real Mosquitto and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import { OutagesRepository } from '../../core/db/repositories/outages.repository.ts';
import type { CameraStatusChange, RepairTicket } from '../../core/events/index.ts';
import { eventually, importCity, sample, testContext, tinyCity, type TestContext } from './helpers/analytics-context.ts';

let ctx: TestContext;
let svc: AnalyticsService;
const P = `r${randomBytes(3).toString('hex')}-`;
const statusMsgs: CameraStatusChange[] = [];
const ticketMsgs: RepairTicket[] = [];

beforeAll(async () => {
  ctx = await testContext();
  await importCity(ctx, tinyCity(P));
  svc = new AnalyticsService(ctx, { group: `t-${P}` });
  await svc.start();
  await ctx.bus.subscribe('cameraStatus', async (m) => void (m.cameraId.startsWith(P) && statusMsgs.push(m)));
  await ctx.bus.subscribe('repairUpdated', async (m) => void (m.cameraId.startsWith(P) && ticketMsgs.push(m)));
});
afterAll(async () => {
  await svc?.stop();
  await ctx?.close();
});

const alertsOf = async (kind: string, subject?: string) =>
  (await svc.alerts.repo.list({ kind, limit: 100 })).items.filter(
    (a) => !subject || a.subjectId === subject || a.evidence.cameraId === subject,
  );
const ticketsOf = async (cameraId: string) => (await svc.repairs.repo.list({ camera: cameraId }, ctx.clock.now())).items;

async function send(cameraId: string, reachable: boolean, extra = {}) {
  await ctx.bus.publish('healthSample', { cameraId }, sample(cameraId, ctx.clock.now(), reachable, extra));
}

describe('repair tickets', () => {
  it('when a camera goes offline, then one ticket opens with its SLA deadline; overdue it escalates once per level; back and stable it resolves itself', async () => {
    const cam = `${P}A`;
    const start = ctx.clock.now().getTime();
    await send(cam, true);
    ctx.clock.advance(1000);
    await send(cam, false);
    ctx.clock.advance(1000);
    await send(cam, false);
    ctx.clock.advance(1000);
    await send(cam, false);
    const [ticket] = await eventually(async () => (await ticketsOf(cam)).length === 1 && ticketsOf(cam));
    await svc.flush();
    expect(await ticketsOf(cam)).toHaveLength(1);
    expect(ticket.state).toBe('open');
    expect(ticket.cause).toBe('unreachable');
    expect(Date.parse(ticket.openedAt)).toBe(start + 2000);
    expect(Date.parse(ticket.deadline) - Date.parse(ticket.openedAt)).toBe(30_000);
    expect(ticket.unit).toMatch(/^MU[12]$/);
    expect(ticket.camera?.status).toBe('offline');
    expect(ticket.escalationLevel).toBe(0);
    expect(ticket.history?.[0]).toMatchObject({ actor: 'system', to: 'open' });
    expect(await alertsOf('camera_offline', cam)).toHaveLength(1);
    // The values of its title travel with it (and are stored), so the dashboard can word it in Chinese.
    expect((await alertsOf('camera_offline', cam))[0].titleArgs).toEqual({ camera: cam, cause: 'unreachable' });
    await eventually(async () => statusMsgs.filter((m) => m.cameraId === cam).length >= 3);
    expect(statusMsgs.filter((m) => m.cameraId === cam).map((m) => m.to)).toEqual(['online', 'suspect', 'offline']);
    expect((await new OutagesRepository(ctx.db).history(cam)).map((h) => h.to)).toEqual(['offline', 'suspect', 'online']);

    // Not yet due: nothing. At the deadline: level 1, once, however often the clock ticks.
    ctx.clock.set(new Date(Date.parse(ticket.deadline) - 1));
    await svc.tick();
    expect(await alertsOf('repair_overdue')).toHaveLength(0);
    ctx.clock.set(ticket.deadline);
    await svc.tick();
    await svc.tick();
    ctx.clock.advance(5000);
    await svc.tick();
    expect(await alertsOf('repair_overdue')).toHaveLength(1);
    expect(await alertsOf('repair_escalated')).toHaveLength(0);
    const overdue = (await svc.repairs.repo.list({ overdue: true }, ctx.clock.now())).items;
    expect(overdue.map((t) => t.ticketId)).toEqual([ticket.ticketId]);
    expect(overdue[0].escalationLevel).toBe(1);
    const l1 = (await alertsOf('repair_overdue'))[0];
    expect(l1.place).toMatchObject({ district: 'D1', town: 'T1', community: 'C1', cell: 'CELL1' });
    expect(l1.evidence).toMatchObject({ ticketId: ticket.ticketId, level: 1, audience: 'district' });
    expect(l1.titleArgs).toMatchObject({ district: 'D1' });

    // At factor × SLA after opening: level 2, once.
    ctx.clock.set(new Date(Date.parse(ticket.openedAt) + 60_000));
    await svc.tick();
    await svc.tick();
    expect(await alertsOf('repair_overdue')).toHaveLength(1);
    expect(await alertsOf('repair_escalated')).toHaveLength(1);
    expect((await svc.repairs.repo.get(ticket.ticketId, ctx.clock.now()))?.escalationLevel).toBe(2);

    // Back: recovering; stable for REPAIR_STABLE_FOR: online, ticket resolved with the time to repair.
    const back = ctx.clock.now().getTime();
    await send(cam, true);
    await eventually(async () => (await svc.status.repo.state(cam))?.status === 'recovering');
    expect((await ticketsOf(cam))[0].state).toBe('open');
    ctx.clock.advance(10_000);
    await send(cam, true);
    const resolved = await eventually(async () => {
      const t = (await ticketsOf(cam))[0];
      return t.state === 'resolved' && t;
    });
    expect(resolved.repairSeconds).toBe(Math.round((back - Date.parse(ticket.openedAt)) / 1000));
    expect(resolved.resolvedAt).toBe(new Date(back + 10_000).toISOString());
    expect(resolved.history?.at(-1)).toMatchObject({ actor: 'system', from: 'open', to: 'resolved' });
    expect((await alertsOf('camera_offline', cam))[0].state).toBe('resolved');
    const outages = await svc.status.repo.list(cam);
    expect(outages).toHaveLength(1);
    expect(outages[0].end).toBe(new Date(back).toISOString());
    await eventually(async () => ticketMsgs.some((m) => m.ticketId === ticket.ticketId && m.state === 'resolved'));
    // Escalation stops once resolved.
    ctx.clock.advance(3_600_000);
    await svc.tick();
    expect(await alertsOf('repair_escalated')).toHaveLength(1);
  });

  it('when a camera flaps down and up many times, then it is flapping with a single ticket', async () => {
    const cam = `${P}C`;
    await send(cam, true);
    for (let i = 0; i < 6; i++) {
      ctx.clock.advance(1000);
      await send(cam, false);
      ctx.clock.advance(1000);
      await send(cam, false);
      ctx.clock.advance(1000);
      await send(cam, true);
    }
    await eventually(async () => (await svc.status.repo.state(cam))?.status === 'flapping');
    await svc.flush();
    const tickets = await ticketsOf(cam);
    expect(tickets).toHaveLength(1);
    expect(tickets[0].deadline).toBe(new Date(Date.parse(tickets[0].openedAt) + 60_000).toISOString()); // remote SLA
    expect(await alertsOf('camera_offline', cam)).toHaveLength(1);
  });

  it('when a replayed down sample arrives, then nothing opens twice', async () => {
    const cam = `${P}B`;
    await send(cam, true);
    ctx.clock.advance(1000);
    const down = sample(cam, ctx.clock.now(), false);
    await ctx.bus.publish('healthSample', { cameraId: cam }, down);
    ctx.clock.advance(1000);
    const down2 = sample(cam, ctx.clock.now(), false);
    await ctx.bus.publish('healthSample', { cameraId: cam }, down2);
    await ctx.bus.publish('healthSample', { cameraId: cam }, down2);
    await ctx.bus.publish('healthSample', { cameraId: cam }, down);
    await eventually(async () => (await ticketsOf(cam)).length === 1);
    await svc.flush();
    const [t] = await ticketsOf(cam);
    expect(await ticketsOf(cam)).toHaveLength(1);
    expect(Date.parse(t.deadline) - Date.parse(t.openedAt)).toBe(10_000); // key SLA
  });
});
