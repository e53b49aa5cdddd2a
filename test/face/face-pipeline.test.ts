// Face recognition end to end on the real servers: enrolment over the API, door captures over Mosquitto, matches,
// alerts and credential checks in PostgreSQL and on the bus, audited views, retention.
import { randomUUID } from 'node:crypto';
import { access } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '../../core/bus/bus.ts';
import type { Alert, FaceCapture, FaceMatch } from '../../core/events/index.ts';
import { FaceService } from '../../analytics/face/face.service.ts';
import { applyFaceRetention } from '../../analytics/face/retention.ts';
import { bearer, gatewayTest, MQTT_URL, type GatewayTest } from '../gateway/gateway-context.ts';
import { captureFile, faces, multipartBody, photo, until } from './face-helpers.ts';

describe('face recognition pipeline', () => {
  let t: GatewayTest;
  let service: FaceService;
  let listener: Bus;
  let admin: string;
  const seen = { matches: [] as FaceMatch[], alerts: [] as Alert[] };
  let wanted: string;
  let residents: string;
  const people: Record<string, string> = {};

  const enrol = (listId: string, token: string, fields: Record<string, string>, files: string[]) => {
    const body = multipartBody(
      fields,
      files.map((f) => ({ filename: f, data: faces.read(photo(f)) })),
    );
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/watchlists/${listId}/persons`,
      headers: { ...bearer(token), ...body.headers },
      payload: body.payload,
    });
  };
  const createList = async (token: string, body: object) =>
    t.app.inject({ method: 'POST', url: '/api/v1/watchlists', headers: bearer(token), payload: body });

  /** Publishes a door capture of `file` on Mosquitto and waits until the face service has handled it. */
  const capture = async (file: string | Buffer, over: Partial<FaceCapture> = {}): Promise<FaceCapture> => {
    const data = typeof file === 'string' ? faces.read(photo(file)) : file;
    const c: FaceCapture = {
      captureId: randomUUID(),
      ts: new Date().toISOString(),
      source: 'door',
      imagePath: await captureFile(t.ctx.config.dataDir, data),
      propertyId: 'p1',
      doorId: 'p1-door1',
      ...over,
    };
    const before = service.runtime!.matcher.handled;
    await listener.publish('faceCapture', { source: c.source }, c);
    await until(() => service.runtime!.matcher.handled > before);
    return c;
  };

  beforeAll(async () => {
    t = await gatewayTest({ env: { FACE_WORKERS: '1' } });
    // A group of its own: sessions other runs left on the shared Mosquitto would otherwise take turns at our captures.
    service = new FaceService(t.ctx, { group: `faces-test-${randomUUID().slice(0, 8)}` });
    await service.start();
    listener = await Bus.connect({ url: MQTT_URL, clientId: `face-test-${randomUUID().slice(0, 8)}`, clean: true });
    await listener.subscribe('faceMatch', async (m) => void seen.matches.push(m));
    await listener.subscribe('alert', async (a) => void seen.alerts.push(a));
    admin = await t.login('admin');
  });
  afterAll(async () => {
    await listener?.close();
    await service?.stop();
    await t?.close();
  });

  it('when the service runs without tfjs-node, then health shows the WASM backend, queue and drops', async () => {
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/health' });
    const f = r.json().components.faces;
    expect(f).toMatchObject({ backend: 'wasm', simd: true, workers: 1, queue: 0, dropped: 0 });
    expect(service.runtime!.pool.info!.skipped).toEqual([expect.objectContaining({ backend: 'tensorflow' })]);
  });

  it('when lists are created, then level and scope are checked against the user', async () => {
    const w = await createList(admin, { name: 'Wanted (city)', level: 'wanted', scope: { kind: 'city' } });
    expect(w.statusCode).toBe(201);
    wanted = w.json().id;
    const r = await createList(admin, { name: 'Residents of Lanting Garden', level: 'residents', scope: { kind: 'property', id: 'p1' } });
    expect(r.statusCode).toBe(201);
    residents = r.json().id;

    const bad = await createList(admin, { name: 'x', level: 'banned', scope: { kind: 'city' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('body.level');
    const nowhere = await createList(admin, { name: 'x', level: 'banned', scope: { kind: 'property', id: 'p404' } });
    expect(nowhere.statusCode).toBe(400);
    expect(nowhere.json().field).toBe('body.scope.id');
    const manager = await t.login('manager1');
    const denied = await createList(manager, { name: 'x', level: 'wanted', scope: { kind: 'city' } });
    expect(denied.statusCode).toBe(403);
    const own = await createList(manager, { name: 'Banned at p1', level: 'banned', scope: { kind: 'property', id: 'p1' } });
    expect(own.statusCode).toBe(201);
    // A property manager sees their property's lists, not the police's.
    const mine = await t.app.inject({ method: 'GET', url: '/api/v1/watchlists', headers: bearer(manager) });
    expect(
      mine
        .json()
        .items.map((l: { name: string }) => l.name)
        .sort(),
    ).toEqual(['Banned at p1', 'Residents of Lanting Garden']);
  });

  it('when a photo has no face, two faces, a blurred or a tiny face, then enrolment is refused with the reason per photo', async () => {
    const r = await enrol(wanted, admin, { name: 'Nobody' }, ['p03-a.jpg', 'no-face-1.jpg', 'two-faces-1.jpg']);
    expect(r.statusCode).toBe(422);
    const photos = r.json().photos;
    expect(photos.map((p: { ok: boolean }) => p.ok)).toEqual([true, false, false]);
    expect(photos[1].reason).toBe('no face found');
    expect(photos[2].reason).toBe('2 faces found; exactly one is required');

    const blurred = await sharp(faces.read(photo('p01-a.jpg')))
      .blur(2.5)
      .jpeg()
      .toBuffer();
    const tiny = await sharp(faces.read(photo('p03-a.jpg')))
      .resize({ width: 90 })
      .jpeg()
      .toBuffer();
    const body = multipartBody({ name: 'Nobody' }, [
      { filename: 'blurred.jpg', data: blurred },
      { filename: 'tiny.jpg', data: tiny },
      { filename: 'notes.jpg', data: Buffer.from('not a picture') },
    ]);
    const r2 = await t.app.inject({
      method: 'POST',
      url: `/api/v1/watchlists/${wanted}/persons`,
      headers: { ...bearer(admin), ...body.headers },
      payload: body.payload,
    });
    expect(r2.statusCode).toBe(422);
    const [b, s, n] = r2.json().photos;
    expect(b.reason).toMatch(/^face not sharp enough/);
    expect(s.reason).toMatch(/^(face too small|no face found)/);
    expect(n.reason).toBe('not a readable JPEG or PNG image');
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/watchlists/${wanted}`, headers: bearer(admin) });
    expect(list.json().people).toEqual([]);
  });

  it('when a wanted person is enrolled and another photo of them is captured at a door, then a match and an alert arrive in the database and on the bus', async () => {
    const r = await enrol(wanted, admin, { name: 'Suspect One' }, ['p01-a.jpg', 'p01-b.jpg']);
    expect(r.statusCode).toBe(201);
    people.suspect = r.json().id;
    await until(() => service.runtime!.index.size === 2);

    const c = await capture('p01-e.jpg');
    const stored = await t.app.inject({ method: 'GET', url: `/api/v1/face-matches?watchlistId=${wanted}`, headers: bearer(admin) });
    expect(stored.json().total).toBe(1);
    const m = stored.json().items[0];
    expect(m).toMatchObject({
      captureId: c.captureId,
      personId: people.suspect,
      watchlistId: wanted,
      personName: 'Suspect One',
      level: 'wanted',
      propertyId: 'p1',
      doorId: 'p1-door1',
      districtId: 'd1',
    });
    expect(m.distance).toBeLessThan(service.runtime!.threshold);
    await access(path.join(t.ctx.config.dataDir, m.cropPath));

    const alerts = await t.app.inject({ method: 'GET', url: '/api/v1/alerts?kind=watchlist_match', headers: bearer(admin) });
    expect(alerts.json().items).toEqual([
      expect.objectContaining({
        kind: 'watchlist_match',
        subjectId: people.suspect,
        severity: 'critical',
        place: expect.objectContaining({ district: 'd1' }),
      }),
    ]);
    expect(alerts.json().items[0].evidence.matchId).toBe(m.matchId);
    await until(() => seen.matches.some((x) => x.matchId === m.matchId) && seen.alerts.some((a) => a.evidence.matchId === m.matchId));
    // A police match is not shown to the property's manager.
    const manager = await t.login('manager1');
    const theirs = await t.app.inject({ method: 'GET', url: '/api/v1/face-matches', headers: bearer(manager) });
    expect(theirs.json().total).toBe(0);
  });

  it('when the same capture is delivered again, then nothing is stored or raised twice', async () => {
    const c = await capture('p01-d.jpg');
    const n = service.runtime!.matcher.handled;
    await listener.publish('faceCapture', { source: 'door' }, c);
    await until(() => service.runtime!.matcher.handled > n);
    const r = await t.app.inject({ method: 'GET', url: `/api/v1/face-matches?personId=${people.suspect}`, headers: bearer(admin) });
    expect(r.json().items.filter((m: FaceMatch) => m.captureId === c.captureId)).toHaveLength(1);
  });

  it('when a stranger is captured, then nobody matches and their face is kept only as a sighting', async () => {
    const before = (await service.runtime!.matches.list({})).total;
    const c = await capture('p05-a.jpg');
    expect((await service.runtime!.matches.list({})).total).toBe(before);
    const r = await t.ctx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM face_sightings WHERE capture_id = $1', [c.captureId]);
    expect(r.rows[0].n).toBe(1);
  });

  it('when a face at the door is another resident than the card holder, or no resident while a resident card was used, then credential_mismatch is raised', async () => {
    expect((await enrol(residents, admin, { name: 'Resident Two', externalId: 'res-2' }, ['p02-a.jpg'])).statusCode).toBe(201);
    expect((await enrol(residents, admin, { name: 'Resident Twenty', externalId: 'res-20' }, ['p20-a.jpg'])).statusCode).toBe(201);
    await until(() => service.runtime!.index.size === 4);

    const own = await capture('p02-b.jpg', { personId: 'res-2' });
    const other = await capture('p02-b.jpg', { personId: 'res-20' });
    const stranger = await capture('p06-a.jpg', { personId: 'res-2' });
    const visitor = await capture('p06-a.jpg', { personId: 'guest-7' });
    const r = await t.app.inject({ method: 'GET', url: '/api/v1/alerts?kind=credential_mismatch', headers: bearer(admin) });
    const byCapture = new Map(r.json().items.map((a: Alert) => [a.evidence.captureId, a]));
    expect(byCapture.has(own.captureId)).toBe(false);
    expect(byCapture.has(visitor.captureId)).toBe(false);
    expect(byCapture.get(other.captureId)).toMatchObject({
      propertyId: 'p1',
      subjectId: 'p1-door1',
      evidence: expect.objectContaining({ cardHolder: 'res-20', matchedExternalId: 'res-2' }),
    });
    expect(byCapture.get(stranger.captureId)).toMatchObject({
      evidence: expect.objectContaining({ cardHolder: 'res-2', reason: expect.stringMatching(/no resident/) }),
    });
    // Residents are not watch-list matches.
    expect((await service.runtime!.matches.list({ watchlistId: residents })).total).toBe(0);
  });

  it('when matches are viewed, then each view is in the audit log', async () => {
    const list = await t.app.inject({ method: 'GET', url: `/api/v1/face-matches?personId=${people.suspect}`, headers: bearer(admin) });
    const id = list.json().items[0].matchId;
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/face-matches/${id}`, headers: bearer(admin) })).statusCode).toBe(200);
    const crop = await t.app.inject({ method: 'GET', url: `/api/v1/face-matches/${id}/crop`, headers: bearer(admin) });
    expect(crop.headers['content-type']).toBe('image/jpeg');
    expect((await sharp(crop.rawPayload).metadata()).format).toBe('jpeg');
    const audit = await t.app.inject({ method: 'GET', url: `/api/v1/face-matches/audit?matchId=${id}`, headers: bearer(admin) });
    expect(new Set(audit.json().items.map((a: { action: string; actor: string }) => `${a.actor}:${a.action}`))).toEqual(
      new Set(['admin:list', 'admin:view', 'admin:view_crop']),
    );
    const monitor = await t.login('monitor1');
    expect((await t.app.inject({ method: 'GET', url: '/api/v1/face-matches/audit', headers: bearer(monitor) })).statusCode).toBe(403);
  });

  it('when a person is removed, then the index forgets them and their captures match nobody', async () => {
    const del = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/watchlists/${wanted}/persons/${people.suspect}`,
      headers: bearer(admin),
    });
    expect(del.statusCode).toBe(204);
    await until(() => service.runtime!.index.size === 2);
    const before = (await service.runtime!.matches.list({})).total;
    await capture('p01-e.jpg');
    expect((await service.runtime!.matches.list({})).total).toBe(before);
  });

  it('when sightings are older than the retention, then their rows and crops are deleted', async () => {
    const rt = service.runtime!;
    const rows = await t.ctx.db.query<{ crop_path: string }>('SELECT crop_path FROM face_sightings');
    expect(rows.rows.length).toBeGreaterThan(0);
    expect(await applyFaceRetention(rt.matches, rt.store, new Date(), t.ctx.config.retentionFaces)).toBe(0);
    const later = new Date(Date.now() + t.ctx.config.retentionFaces + 60_000);
    expect(await applyFaceRetention(rt.matches, rt.store, later, t.ctx.config.retentionFaces)).toBe(rows.rows.length);
    expect(await rt.matches.countSightings()).toBe(0);
    await expect(access(path.join(t.ctx.config.dataDir, rows.rows[0].crop_path))).rejects.toThrow();
  });
});
