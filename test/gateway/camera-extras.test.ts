// A camera's health timeline and snapshot, the grid for the map, and door-event images — each within scope only.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { CameraHealthRepository } from '../../core/db/repositories/camera-health.repository.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { DoorEventsRepository } from '../../core/db/repositories/door-events.repository.ts';
import { bearer, gatewayTest, type GatewayTest } from './gateway-context.ts';
import { alert, doorEvent } from './seed.ts';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';

let t: GatewayTest;
let cameraServer: Server;
let jpeg: Buffer;
const tokens: Record<string, Record<string, string>> = {};
beforeAll(async () => {
  t = await gatewayTest();
  for (const u of ['admin', 'monitor1', 'manager1', 'supervisor1']) tokens[u] = bearer(await t.login(u));
  jpeg = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#336699' } })
    .jpeg()
    .toBuffer();
  // A camera's HTTP snapshot endpoint: a real JPEG on /ok.jpg, garbage on /bad.jpg.
  cameraServer = createServer((req, res) => {
    if (req.url === '/ok.jpg') res.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg);
    else res.writeHead(200, { 'content-type': 'image/jpeg' }).end('not a jpeg');
  });
  await new Promise<void>((r) => cameraServer.listen(0, '127.0.0.1', r));
});
afterAll(async () => {
  cameraServer?.close();
  await t?.close();
});
const get = (user: string, url: string) => t.app.inject({ url, headers: tokens[user] });

describe('camera health timeline', () => {
  it('when samples exist, then the last 24 hours come oldest first; other districts are 404', async () => {
    const now = Date.now();
    const samples = [3, 2, 1].map((h) => ({
      sampleId: randomUUID(),
      cameraId: 'cam-001',
      ts: new Date(now - h * 3600_000).toISOString(),
      kind: 'heartbeat' as const,
      reachable: h !== 2,
      latencyMs: h !== 2 ? 12 * h : undefined,
      errorClass: h === 2 ? ('timeout' as const) : undefined,
    }));
    samples.push({
      sampleId: randomUUID(),
      cameraId: 'cam-001',
      ts: new Date(now - 30 * 3600_000).toISOString(),
      kind: 'heartbeat',
      reachable: true,
      latencyMs: 5,
      errorClass: undefined,
    });
    await new CameraHealthRepository(t.ctx.db).insertMany(samples);
    const r = await get('monitor1', '/api/v1/cameras/cam-001/health');
    expect(r.statusCode).toBe(200);
    expect(r.json().items.map((p: { reachable: boolean; errorClass: string | null }) => [p.reachable, p.errorClass])).toEqual([
      [true, null],
      [false, 'timeout'],
      [true, null],
    ]);
    const wide = await get(
      'admin',
      `/api/v1/cameras/cam-001/health?from=${encodeURIComponent(new Date(now - 48 * 3600_000).toISOString())}`,
    );
    expect(wide.json().items).toHaveLength(4);
    expect((await get('monitor1', '/api/v1/cameras/cam-007/health')).statusCode).toBe(404);
    expect((await get('admin', '/api/v1/cameras/cam-001/health?from=soon')).json().field).toBe('querystring.from');
  });
});

describe('camera snapshot', () => {
  it('when the camera serves a JPEG, then it is passed through; garbage or no URI is an error in words', async () => {
    const base = `http://127.0.0.1:${(cameraServer.address() as { port: number }).port}`;
    const cams = new CamerasRepository(t.ctx.db);
    await cams.setMediaUris('cam-001', { snapshotUri: `${base}/ok.jpg` });
    await cams.setMediaUris('cam-002', { snapshotUri: `${base}/bad.jpg` });
    const ok = await get('monitor1', '/api/v1/cameras/cam-001/snapshot');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/jpeg');
    expect(ok.rawPayload.equals(jpeg)).toBe(true);
    const bad = await get('monitor1', '/api/v1/cameras/cam-002/snapshot');
    expect(bad.statusCode).toBe(502);
    expect(bad.json().message).toMatch(/not a JPEG/);
    expect((await get('monitor1', '/api/v1/cameras/cam-003/snapshot')).statusCode).toBe(404);
    expect((await get('manager1', '/api/v1/cameras/cam-004/snapshot')).statusCode).toBe(404);
  });
});

describe('grid', () => {
  it('when each role asks for the grid, then it gets its districts, cells and polygons only', async () => {
    const all = (await get('admin', '/api/v1/grid/cells.geojson')).json();
    expect(all.type).toBe('FeatureCollection');
    expect(all.features.map((f: { id: string }) => f.id)).toEqual(['d1-cell1', 'd1-cell2', 'd2-cell1', 'd2-cell2']);
    expect(all.features[0].properties).toMatchObject({ districtId: 'd1', level: 'cell' });
    expect(all.features[0].geometry.type).toBe('Polygon');
    const mon = (await get('monitor1', '/api/v1/grid/cells.geojson')).json();
    expect(mon.features.map((f: { id: string }) => f.id)).toEqual(['d1-cell1', 'd1-cell2']);
    const mgr = (await get('manager1', '/api/v1/grid/cells.geojson')).json();
    expect(mgr.features.map((f: { id: string }) => f.id)).toEqual(['d1-cell1']);
    expect((await get('monitor1', '/api/v1/grid?level=district')).json().items.map((d: { id: string }) => d.id)).toEqual(['d1']);
    expect((await get('supervisor1', '/api/v1/grid?level=district')).json()).toMatchObject({ total: 2 });
    expect((await get('admin', '/api/v1/grid?level=planet')).json().field).toBe('querystring.level');
    expect((await t.app.inject({ url: '/api/v1/grid' })).statusCode).toBe(401);
  });
});

describe('door event images', () => {
  it('when an event has a face image, then its compound sees it and others get 404', async () => {
    const dir = path.join(t.ctx.config.dataDir, 'captures', 'door', 'test');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'face.jpg');
    await writeFile(file, jpeg);
    const e = { ...doorEvent('p1', 'p1-door1', 'face_capture'), imagePath: file };
    const outside = { ...doorEvent('p1', 'p1-door2', 'face_capture'), imagePath: '/etc/passwd' };
    await new DoorEventsRepository(t.ctx.db).insertMany([e, outside]);
    const url = (ev: typeof e) => `/api/v1/door-events/${ev.eventId}/image?ts=${encodeURIComponent(ev.ts)}`;
    const r = await get('manager1', url(e));
    expect(r.statusCode).toBe(200);
    expect(r.rawPayload.equals(jpeg)).toBe(true);
    expect((await get('supervisor1', url(e))).statusCode).toBe(403);
    expect((await get('manager1', url(outside))).statusCode).toBe(404);
  });
});

describe('alert evidence snapshots', () => {
  it('when a door alert keeps camera snapshots, then its scope sees them and paths outside DATA_DIR are refused', async () => {
    const rel = path.join('snapshots', 'test', 'door-cam.jpg');
    await mkdir(path.join(t.ctx.config.dataDir, 'snapshots', 'test'), { recursive: true });
    await writeFile(path.join(t.ctx.config.dataDir, rel), jpeg);
    const a = alert({
      kind: 'door_forced',
      subjectId: 'p1-door1',
      propertyId: 'p1',
      place: { district: 'd1' },
      evidence: {
        snapshots: [
          { cameraId: 'cam-001', path: rel },
          { cameraId: 'cam-002', path: '../../etc/passwd' },
          { cameraId: 'cam-003', error: 'timeout' },
        ],
      },
    });
    await new AlertsRepository(t.ctx.db).insert(a);
    const ok = await get('manager1', `/api/v1/alerts/${a.alertId}/snapshots/0`);
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload.equals(jpeg)).toBe(true);
    expect((await get('monitor1', `/api/v1/alerts/${a.alertId}/snapshots/1`)).statusCode).toBe(404);
    expect((await get('monitor1', `/api/v1/alerts/${a.alertId}/snapshots/2`)).statusCode).toBe(404);
    expect((await get('admin', `/api/v1/alerts/${a.alertId}/snapshots/x`)).json().field).toBe('params.n');
    const other = alert({
      kind: 'door_forced',
      subjectId: 'p3-door1',
      propertyId: 'p3',
      place: { district: 'd2' },
      evidence: { snapshots: [{ cameraId: 'cam-007', path: rel }] },
    });
    await new AlertsRepository(t.ctx.db).insert(other);
    expect((await get('manager1', `/api/v1/alerts/${other.alertId}/snapshots/0`)).statusCode).toBe(404);
  });
});
