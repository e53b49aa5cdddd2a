// A gateway started alone, as its own process, enrols through the face service over Mosquitto and loads no face
// model; and a same-person pair of two different real photos (held-apart part of the evaluation set) matches
// through the whole path: enrol through the API, face_capture over MQTT, the match in GET /api/v1/face-matches.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bus } from '../../core/bus/bus.ts';
import type { FaceCapture } from '../../core/events/index.ts';
import { FaceService } from '../../analytics/face/face.service.ts';
import { loadEvalSet, readEvalImage } from '../../fixtures/faces/faces.ts';
import { gatewayTest, MQTT_URL, PASSWORD, type GatewayTest } from '../gateway/gateway-context.ts';
import { run, type Running } from '../helpers/run.ts';
import { captureFile, multipartBody, until } from './face-helpers.ts';

const PORT = 23101;
const BASE = `http://127.0.0.1:${PORT}`;
const PROBE = fileURLToPath(new URL('./module-probe.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

// The first held-apart person of the evaluation set (manifest order, not picked for an easy pair).
const held = loadEvalSet('held');
const person = held.find((i) => i.set === 'london')!.person;
const [enrolPhoto, probePhoto] = held.filter((i) => i.person === person);

describe('enrolment through a gateway of its own', () => {
  let t: GatewayTest;
  let service: FaceService;
  let gateway: Running;
  let listener: Bus;
  let token: string;
  let listId: string;
  let personId: string;
  const probeFile = path.join(tmpdir(), `gw-probe-${randomUUID()}.log`);

  const api = async (method: string, url: string, body?: { payload: Buffer | string; headers: Record<string, string> }) => {
    const r = await fetch(`${BASE}${url}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...body?.headers },
      body: typeof body?.payload === 'string' ? body.payload : body ? new Uint8Array(body.payload) : undefined,
    });
    return { status: r.status, json: (await r.json()) as any };
  };

  beforeAll(async () => {
    // The database, DATA_DIR and face service are this test's; the gateway under test is another process.
    t = await gatewayTest({ env: { FACE_WORKERS: '1' } });
    service = new FaceService(t.ctx, { group: `faces-test-${randomUUID().slice(0, 8)}` });
    await service.start();
    listener = await Bus.connect({ url: MQTT_URL, clientId: `enrol-test-${randomUUID().slice(0, 8)}`, clean: true });
    gateway = run(
      process.execPath,
      ['--import', 'tsx', '--import', PROBE, 'gateway/main.ts'],
      {
        MODULE_PROBE_FILE: probeFile,
        DATABASE_URL: t.testDb.url,
        DATA_DIR: t.ctx.config.dataDir,
        MQTT_URL,
        PORT: String(PORT),
        HOST: '127.0.0.1',
        BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
        DEMO_PASSWORD: PASSWORD,
        LOG_LEVEL: 'info',
        SIMULATE: 'off',
      },
      ROOT,
    );
    await gateway.waitFor(/listening|Server listening/i, 120_000);
    const login = await fetch(`${BASE}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    token = ((await login.json()) as { token: string }).token;
    const list = await api('POST', '/api/v1/watchlists', {
      payload: JSON.stringify({ name: 'Wanted (city)', level: 'wanted', scope: { kind: 'city' } }),
      headers: { 'content-type': 'application/json' },
    });
    expect(list.status).toBe(201);
    listId = list.json.id;
  }, 300_000);
  afterAll(async () => {
    await gateway?.stop();
    await listener?.close();
    await service?.stop();
    await t?.close();
    await rm(probeFile, { force: true });
  });

  it('when the gateway alone enrols a person, then the face service stores them and the gateway loads no TensorFlow.js nor face model', async () => {
    const body = multipartBody({ name: 'Held-apart person' }, [
      { filename: path.basename(enrolPhoto.file), data: readEvalImage(enrolPhoto) },
    ]);
    const r = await api('POST', `/api/v1/watchlists/${listId}/persons`, body);
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    personId = r.json.id;
    expect((await t.ctx.db.query('SELECT count(*)::int AS n FROM face_embeddings WHERE person_id = $1', [personId])).rows[0].n).toBe(1);

    const loaded = await readFile(probeFile, 'utf8');
    // The probe saw the gateway's own modules, the watch-list route among them …
    expect(loaded).toMatch(/gateway\/routes\/watchlists\/enrol-client\.ts/);
    // … and none of TensorFlow.js, a face library or the face service.
    expect(loaded).not.toMatch(/@tensorflow|@vladmandic|analytics\/face/);
  });

  it('when a photo has no face, then the answer from the face service names that photo and nothing is stored', async () => {
    const noFace = await readFile(path.join(ROOT, 'fixtures/faces/no-face-1.jpg'));
    const body = multipartBody({ name: 'Nobody' }, [{ filename: 'wall.jpg', data: noFace }]);
    const r = await api('POST', `/api/v1/watchlists/${listId}/persons`, body);
    expect(r.status).toBe(422);
    expect(r.json.photos).toEqual([expect.objectContaining({ photo: 'wall.jpg', ok: false, reason: 'no face found' })]);
    const people = await api('GET', `/api/v1/watchlists/${listId}`);
    expect(people.json.people.map((p: { name: string }) => p.name)).toEqual(['Held-apart person']);
  });

  it('when a different photo of the enrolled person arrives as a door face_capture, then GET /api/v1/face-matches lists the match', async () => {
    const c: FaceCapture = {
      captureId: randomUUID(),
      ts: new Date().toISOString(),
      source: 'door',
      imagePath: await captureFile(t.ctx.config.dataDir, readEvalImage(probePhoto)),
      propertyId: 'p1',
      doorId: 'p1-door1',
    };
    await listener.publish('faceCapture', { source: 'door' }, c);
    const match = await until(async () => {
      const r = await api('GET', `/api/v1/face-matches?personId=${personId}`);
      return r.json.items?.find((m: { captureId: string }) => m.captureId === c.captureId);
    }, 120_000);
    expect(match).toMatchObject({ personId, watchlistId: listId });
    expect(match.distance).toBeLessThanOrEqual(Number(t.ctx.config.faceThresholdWanted));
  });
});
