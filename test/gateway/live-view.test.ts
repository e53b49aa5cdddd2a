// Live view and event clips through the gateway with real ffmpeg: an RTSP camera (GStreamer RTSP server) as
// fragmented MP4, a simulated camera's MJPEG passed on, view tickets, the viewer cap, the audit, and a clip of a
// forced-door alert written, served with ranges and expired by retention.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { baseUrl, bearer, gatewayTest, type GatewayTest } from './gateway-context.ts';
import { alert } from './seed.ts';
import { RtspStreams, startSimulatedCameras, type SimulatedCameras } from '../../fixtures/index.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import { MediaAuditRepository } from '../../core/db/repositories/media-audit.repository.ts';

let t: GatewayTest;
let rtsp: RtspStreams;
let sim: SimulatedCameras;
let base: string;
let token: string;

beforeAll(async () => {
  t = await gatewayTest({ listen: true, env: { LIVE_VIEWERS_PER_CAMERA: '1', CLIP_BEFORE: '2s', CLIP_AFTER: '2s' } });
  base = baseUrl(t);
  rtsp = await RtspStreams.start({ port: 26554 });
  await rtsp.add('cam-001', 'cam-001');
  sim = await startSimulatedCameras({
    cameras: 1,
    host: '127.0.0.1',
    basePort: 26100,
    username: '',
    password: '',
    discovery: false,
    streams: 'all',
  } as never);
  const cams = new CamerasRepository(t.ctx.db);
  await cams.setMediaUris('cam-001', { streamUri: rtsp.uri('cam-001') });
  await cams.setMediaUris('cam-002', { streamUri: sim.cameras[0].streamUri! });
  token = await t.login('monitor1');
}, 60_000);
afterAll(async () => {
  await t?.close();
  await sim?.stop();
  await rtsp?.stop();
});

const open = (camera: string, body: object = {}) =>
  t.app.inject({ method: 'POST', url: `/api/v1/live/cameras/${camera}`, headers: bearer(token), payload: body });

/** Reads a response body until `enough` says so; answers the bytes read. */
async function readUntil(res: Response, enough: (b: Buffer) => boolean): Promise<Buffer> {
  const reader = res.body!.getReader();
  let buf = Buffer.alloc(0);
  while (!enough(buf)) {
    const { value, done } = await reader.read();
    if (done) break;
    buf = Buffer.concat([buf, Buffer.from(value)]);
  }
  await reader.cancel();
  return buf;
}

it('when a monitor opens an RTSP camera, then a ticket URL streams fragmented MP4, the view is audited, a second viewer is refused and ffmpeg stops when the viewer leaves', async () => {
  const a = alert({ kind: 'camera_tamper', subjectKind: 'camera', subjectId: 'cam-001', place: { district: 'd1' } });
  const r = await open('cam-001', { alertId: a.alertId });
  expect(r.statusCode).toBe(200);
  const ticket = r.json();
  expect(ticket).toMatchObject({ cameraId: 'cam-001', kind: 'mp4' });
  const res = await fetch(base + ticket.url);
  expect(res.headers.get('content-type')).toBe('video/mp4');
  // While it plays, the camera has its one viewer.
  expect((await open('cam-001')).statusCode).toBe(429);
  const bytes = await readUntil(res, (b) => b.includes('moof') && b.includes('mdat'));
  expect(bytes.subarray(4, 8).toString()).toBe('ftyp');
  expect(bytes.includes('avcC')).toBe(true);
  await expect.poll(() => t.app.video.pool.running(), { timeout: 10_000 }).toEqual([]);
  const audit = await new MediaAuditRepository(t.ctx.db).list({ cameraId: 'cam-001' });
  expect(audit.some((e) => e.actor === 'monitor1' && e.action === 'live' && e.alertId === a.alertId)).toBe(true);
}, 60_000);

it('when a ticket is forged or the camera is outside the scope, then nothing streams', async () => {
  expect((await fetch(`${base}/api/v1/live/streams?ticket=abc.def`)).status).toBe(401);
  expect((await open('cam-007')).statusCode).toBe(404);
  expect((await open('cam-003')).statusCode).toBe(404); // no stream URI read yet
});

it('when an MJPEG camera is opened, then its multipart stream is passed on as it comes', async () => {
  const ticket = (await open('cam-002')).json();
  expect(ticket.kind).toBe('mjpeg');
  const res = await fetch(base + ticket.url);
  expect(res.headers.get('content-type')).toMatch(/^multipart\/x-mixed-replace/);
  const bytes = await readUntil(res, (b) => b.includes(Buffer.from([0xff, 0xd8, 0xff])));
  expect(bytes.includes(Buffer.from([0xff, 0xd8, 0xff]))).toBe(true);
}, 30_000);

it('when a forced-door alert is published, then a clip of its camera is written, listed with an audited ticket, served whole and by range, and expired by retention', async () => {
  const a = alert({
    kind: 'door_forced',
    subjectId: 'p1-door1',
    propertyId: 'p1',
    place: { district: 'd1', cell: 'd1-cell1' },
    evidence: { cameras: [{ id: 'cam-001' }] },
  });
  await new AlertsRepository(t.ctx.db).insert(a);
  await t.ctx.bus.publish('alert', { kind: a.kind }, a);
  const list = async () => (await t.app.inject({ url: `/api/v1/live/alerts/${a.alertId}/clips`, headers: bearer(token) })).json().items;
  await expect.poll(async () => (await list())[0]?.state, { timeout: 40_000, interval: 500 }).toBe('ready');
  const [clip] = await list();
  expect(clip).toMatchObject({ cameraId: 'cam-001', state: 'ready' });
  const whole = await fetch(base + clip.url);
  expect(whole.headers.get('content-type')).toBe('video/mp4');
  const file = Buffer.from(await whole.arrayBuffer());
  expect(file.length).toBe(clip.bytes);
  const part = await fetch(base + clip.url, { headers: { range: 'bytes=0-99' } });
  expect(part.status).toBe(206);
  expect((await part.arrayBuffer()).byteLength).toBe(100);
  // A real MP4: the camera was not watched before, so it starts at its first key frame after the alert (on demand)
  // and runs to the seconds after it (a group of pictures is 2 s here).
  const path = t.app.video.files.resolve(`clips/${a.ts.slice(0, 10)}/${a.alertId}-cam-001.mp4`);
  const duration = Number(
    execFileSync('/usr/bin/ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path]).toString(),
  );
  expect(duration).toBeGreaterThan(1);
  const audit = await new MediaAuditRepository(t.ctx.db).list({ alertId: a.alertId });
  expect(audit.some((e) => e.action === 'clip' && e.actor === 'monitor1')).toBe(true);
  // Retention: past it, row and file are gone and the ticket finds nothing.
  expect(await t.app.video.clips.expire(0, Date.now() + 1000)).toBeGreaterThanOrEqual(1);
  expect(await list()).toEqual([]);
  expect((await fetch(base + clip.url)).status).toBe(404);
}, 90_000);
