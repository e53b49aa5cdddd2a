// Coverage per cell and its gap alert, video-quality tickets, door alarms with camera snapshots and unwatched doors —
// through the real Mosquitto and PostgreSQL.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import type { DoorEvent } from '../../core/events/index.ts';
import { eventually, importCity, sample, testContext, tinyCity, type TestContext } from './helpers/analytics-context.ts';

let ctx: TestContext;
let svc: AnalyticsService;
let server: Server;
let snapshotUrl = '';
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 0xff, 0xd9]);
const P = `c${randomBytes(3).toString('hex')}-`;
const [A, B, C] = ['A', 'B', 'C'].map((x) => `${P}${x}`);

beforeAll(async () => {
  ctx = await testContext();
  await importCity(ctx, tinyCity(P));
  server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'image/jpeg' });
    res.end(JPEG);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  snapshotUrl = `http://127.0.0.1:${port}/onvif/snapshot/A.jpg`;
  await new CamerasRepository(ctx.db).setMediaUris(A, { snapshotUri: snapshotUrl });
  svc = new AnalyticsService(ctx, { group: `t-${P}` });
  await svc.start();
});
afterAll(async () => {
  await svc?.stop();
  await ctx?.close();
  server?.close();
});

async function send(cameraId: string, reachable: boolean, extra = {}) {
  await ctx.bus.publish('healthSample', { cameraId }, sample(cameraId, ctx.clock.now(), reachable, extra));
}
async function settle() {
  // Messages travel through the broker first; then the batch they joined must be committed.
  await new Promise((r) => setTimeout(r, 200));
  await svc.flush();
}
const status = async (id: string) => (await svc.status.repo.state(id))?.status;
const cell = async (id: string) => (await svc.coverage.repo.current({ unit: id }))[0];
const alertsOf = async (kind: string) => (await svc.alerts.repo.list({ kind, limit: 100 })).items;
function doorEvent(type: DoorEvent['type']): DoorEvent {
  const ts = ctx.clock.now().toISOString();
  return { eventId: randomUUID(), ts, propertyId: 'P1', doorId: 'DOOR1', type, receivedAt: ts };
}

describe('coverage, quality and doors', () => {
  it('when every camera is up, then the cells are covered and rolled up to community, town, district and city', async () => {
    for (const id of [A, B, C]) await send(id, true);
    await eventually(async () => (await status(C)) === 'online' && (await status(A)) === 'online' && (await status(B)) === 'online');
    await svc.coverage.recompute(ctx.clock.now());
    const c1 = await cell('CELL1');
    expect(c1.rate).toBeCloseTo(1, 2);
    expect(c1.camerasTotal).toBe(2);
    expect(c1.camerasUp).toBe(2);
    const c2 = await cell('CELL2');
    expect(c2.rate).toBeGreaterThan(0.6);
    const community = await cell('C1');
    expect(community.areaM2).toBeCloseTo(c1.areaM2 + c2.areaM2, 0);
    expect(community.rate).toBeCloseTo((c1.coveredM2 + c2.coveredM2) / (c1.areaM2 + c2.areaM2), 4);
    for (const id of ['T1', 'D1', 'CITY']) expect((await cell(id)).rate).toBeCloseTo(community.rate, 4);
    expect(community.districtId).toBe('D1');
  });

  it('when a door is forced, then the alert carries the snapshot of the cameras that see it', async () => {
    const e = doorEvent('forced_open');
    await ctx.bus.publish('doorEvents', {}, { events: [e] });
    const [alert] = await eventually(async () => (await alertsOf('door_forced')).length === 1 && alertsOf('door_forced'));
    expect(alert.subjectId).toBe('DOOR1');
    expect(alert.propertyId).toBe('P1');
    expect(alert.place).toMatchObject({ district: 'D1', cell: 'CELL1' });
    const snaps = alert.evidence.snapshots as { cameraId: string; uri?: string; path?: string; error?: string }[];
    expect(snaps.map((s) => s.cameraId).sort()).toEqual([A, B].sort());
    const a = snaps.find((s) => s.cameraId === A)!;
    expect(a.uri).toBe(snapshotUrl);
    expect(await readFile(path.resolve(ctx.config.dataDir, a.path!))).toEqual(JPEG);
    expect(snaps.find((s) => s.cameraId === B)!.error).toBe('no snapshot URI');
    // The same event again (redelivery) raises nothing new.
    await ctx.bus.publish('doorEvents', {}, { events: [e] });
    await settle();
    expect(await alertsOf('door_forced')).toHaveLength(1);
  });

  it('when one of two cameras of a cell is down, then no gap; when both are, then coverage drops and one gap alert is raised', async () => {
    ctx.clock.advance(1000);
    await send(A, false);
    ctx.clock.advance(1000);
    await send(A, false);
    await eventually(async () => (await status(A)) === 'offline');
    await svc.coverage.recompute(ctx.clock.now());
    expect((await cell('CELL1')).rate).toBeCloseTo(1, 2); // B alone sees the whole cell
    expect(await alertsOf('coverage_gap')).toHaveLength(0);

    ctx.clock.advance(1000);
    await send(B, false);
    ctx.clock.advance(1000);
    await send(B, false);
    await eventually(async () => (await status(B)) === 'offline');
    await svc.coverage.recompute(ctx.clock.now());
    await svc.coverage.recompute(ctx.clock.now());
    const c1 = await cell('CELL1');
    expect(c1.rate).toBe(0);
    expect(c1.camerasUp).toBe(0);
    const gaps = await alertsOf('coverage_gap');
    expect(gaps).toHaveLength(1);
    expect(gaps[0]).toMatchObject({ subjectKind: 'cell', subjectId: 'CELL1', state: 'open' });
    expect((await cell('C1')).rate).toBeCloseTo(0.5, 2); // CELL2 still fully seen by C
    const series = await svc.coverage.repo.series(
      ['CELL1'],
      new Date(ctx.clock.now().getTime() - 3_600_000),
      new Date(ctx.clock.now().getTime() + 3_600_000),
    );
    expect(series.CELL1.at(-1)).toMatchObject({ rate: 0, minRate: 0, camerasUp: 0 });
  });

  it('when the door is used while every camera that sees it is down, then one door_unwatched alert', async () => {
    await ctx.bus.publish('doorEvents', {}, { events: [doorEvent('granted')] });
    await ctx.bus.publish('doorEvents', {}, { events: [doorEvent('granted')] });
    const [alert] = await eventually(async () => (await alertsOf('door_unwatched')).length > 0 && alertsOf('door_unwatched'));
    await settle();
    expect(await alertsOf('door_unwatched')).toHaveLength(1);
    expect((alert.evidence.cameras as { id: string }[]).map((c) => c.id).sort()).toEqual([A, B].sort());
  });

  it('when a camera is back and stable, then the cell is covered again and the gap alert resolved', async () => {
    await send(A, true);
    await eventually(async () => (await status(A)) === 'recovering');
    ctx.clock.advance(10_000);
    await send(A, true);
    await eventually(async () => (await status(A)) === 'online');
    await svc.coverage.recompute(ctx.clock.now());
    expect((await cell('CELL1')).rate).toBeCloseTo(1, 2);
    expect((await alertsOf('coverage_gap'))[0].state).toBe('resolved');
  });

  it('when a stream check shows a black or frozen picture, then a quality ticket opens and the camera stops counting for coverage', async () => {
    ctx.clock.advance(1000);
    await send(C, true, {
      kind: 'stream',
      stream: { opened: true, codec: 'h264', width: 1920, height: 1080, frames: 50, fps: 25, black: true, frozen: false },
    });
    const [t] = await eventually(async () => {
      const items = (await svc.repairs.repo.list({ camera: C }, ctx.clock.now())).items;
      return items.length > 0 && items;
    });
    expect(t.cause).toBe('black');
    expect(t.state).toBe('open');
    expect((await alertsOf('video_quality')).map((a) => a.subjectId)).toEqual([C]);
    expect(await status(C)).toBe('online');
    await svc.coverage.recompute(ctx.clock.now());
    expect((await cell('CELL2')).camerasUp).toBe(0);

    // Frozen too, still one ticket; a good check ends it.
    ctx.clock.advance(1000);
    await send(C, true, { kind: 'stream', stream: { opened: true, frames: 50, fps: 25, black: false, frozen: true } });
    ctx.clock.advance(1000);
    await send(C, true, { kind: 'stream', stream: { opened: true, frames: 50, fps: 25, black: false, frozen: false } });
    const done = await eventually(async () => {
      const items = (await svc.repairs.repo.list({ camera: C }, ctx.clock.now())).items;
      return items[0]?.state === 'resolved' && items;
    });
    expect(done).toHaveLength(1);
    expect(done[0].repairSeconds).toBe(2);
  });

  it('when the lens is covered (ONVIF tamper), then a covered ticket and a camera_tamper alert', async () => {
    ctx.clock.advance(1000);
    await ctx.bus.publish(
      'cameraEvent',
      { cameraId: C },
      { eventId: randomUUID(), cameraId: C, ts: ctx.clock.now().toISOString(), kind: 'tamper' },
    );
    const t = await eventually(async () => (await svc.repairs.repo.list({ camera: C, state: 'open' }, ctx.clock.now())).items[0]);
    expect(t.cause).toBe('covered');
    expect((await alertsOf('camera_tamper')).map((a) => a.subjectId)).toEqual([C]);
  });
});
