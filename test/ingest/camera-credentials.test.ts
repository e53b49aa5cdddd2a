// Camera credentials per site and per camera (CAMERA_CREDENTIALS_FILE) against simulated cameras on two "sites"
// (127.0.0.2 and 127.0.0.3), the real PostgreSQL, a private Mosquitto and the gateway API on it: precedence
// camera > site > default, sealed at rest, a wrong password is auth_failed and recovers as soon as an administrator
// sets the right one (the change notice, not the hour-long discovery pass), a bad file stops start.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { freePort, startMosquitto, type TestBroker } from './helpers/mosquitto.ts';
import { importTestCity, testContext } from './helpers/context.ts';
import { until } from './helpers/wait.ts';
import type { FastifyInstance } from 'fastify';
import { bearer } from '../gateway/gateway-context.ts';
import { buildApp } from '../../gateway/app.ts';
import { filterFor } from '../../core/bus/topics.ts';
import { startSimulatedCameras, type SimulatedCameras } from '../../fixtures/index.ts';
import { DiscoveryResponder } from '../../fixtures/onvif/discovery-responder.ts';
import { CameraFleet } from '../../ingest/onvif/camera-fleet.ts';
import { CredentialCipher, type SealedCredentials } from '../../core/credentials/credential-cipher.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import type { ServiceContext } from '../../core/service.ts';
import type { City } from '../../core/city/city.schema.ts';

const KEY = 'test-credential-key-rules';
const ADMIN_PW = 'test-admin-pw-1';
const PASSWORDS = ['cam1-pw', 'compound-pw', 'compound-new', 'cam3-right', 'wrong-pw', 'default-pw', 'east-pw', 'cam6-pw'];

describe('camera credentials per site and per camera', () => {
  let t: TestDb;
  let broker: TestBroker;
  let west: SimulatedCameras;
  let east: SimulatedCameras;
  let responder: DiscoveryResponder;
  let ctx: ServiceContext;
  let fleet: CameraFleet;
  let gwCtx: ServiceContext;
  let gw: FastifyInstance;
  let city: City;
  let file: string;
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-creds-'));
  const cipher = CredentialCipher.fromSecret(KEY);
  const id = (n: number) => city.cameras[n].id;
  const sealedOf = async (cameraId: string): Promise<{ raw: string; open: SealedCredentials }> => {
    const r = await t.db.query<{ credentials_enc: string }>('SELECT credentials_enc FROM cameras WHERE id = $1', [cameraId]);
    return { raw: r.rows[0].credentials_enc, open: cipher.decrypt(r.rows[0].credentials_enc) };
  };
  const authState = async (cameraId: string) => (await new CamerasRepository(t.db).get(cameraId))!.authState;

  /** West (127.0.0.2): urn rule, compound site, id rule with a wrong password, default. East (127.0.0.3): site, address rule. */
  const rules = (o: { compound?: string; cam3?: string } = {}) => ({
    sites: [
      { name: 'east', addresses: ['127.0.0.3/32'], username: 'east', passwordEnv: 'GW_TEST_EAST_PW' },
      { name: 'compound', properties: ['prop-0001'], username: 'admin', password: o.compound ?? 'compound-pw' },
    ],
    cameras: [
      { urn: city.cameras[0].urn, username: 'admin', password: 'cam1-pw' },
      { id: id(2), username: 'admin', password: o.cam3 ?? 'wrong-pw' },
      { address: new URL(east.get(id(5))!.xaddr).host, username: 'east', password: 'cam6-pw' },
    ],
  });

  beforeAll(async () => {
    [t, broker] = await Promise.all([freshPgDb(), startMosquitto()]);
    city = await importTestCity(t.db, { cameras: 8, doors: 2 });
    const probePort = await freePort();
    const westPw: Record<string, string> = { [id(0)]: 'cam1-pw', [id(1)]: 'compound-pw', [id(2)]: 'cam3-right', [id(3)]: 'default-pw' };
    west = await startSimulatedCameras({ cameras: city.cameras.slice(0, 4), host: '127.0.0.2', streams: 0, password: (c) => westPw[c] });
    east = await startSimulatedCameras({
      cameras: city.cameras.slice(4),
      host: '127.0.0.3',
      username: 'east',
      streams: 0,
      password: (c) => (c === id(5) ? 'cam6-pw' : 'east-pw'),
    });
    // One responder for both sites: directed probes to either host tell every camera's urn.
    responder = new DiscoveryResponder(
      () => [...west.cameras.map((c) => west.camera(c.id)), ...east.cameras.map((c) => east.camera(c.id))],
      { port: probePort, spreadMs: 20 },
    );
    await responder.start();
    process.env.GW_TEST_EAST_PW = 'east-pw';
    file = path.join(dir, 'credentials.json');
    writeFileSync(file, JSON.stringify(rules()));
    ctx = await testContext(t.db, broker.url, {
      DATA_DIR: dir,
      CAMERA_USERNAME: 'admin',
      CAMERA_PASSWORD: 'default-pw',
      CAMERA_CREDENTIALS_FILE: file,
      CREDENTIAL_KEY: KEY,
      HEALTH_TIMEOUT: '1s',
      HEALTH_INTERVAL: '1h',
      STREAM_CHECK_INTERVAL: '1h',
      DISCOVERY_INTERVAL: '1h',
      DISCOVERY_TIMEOUT: '300ms',
    });
    fleet = new CameraFleet(ctx, { discovery: false, addresses: [...west.cameras, ...east.cameras].map((c) => c.xaddr), probePort });
    await fleet.start();
    await fleet.firstDiscovery;
    await until(
      () => fleet.stats().byState as Record<string, number>,
      (s) => (s.ok ?? 0) === 7 && (s.auth_failed ?? 0) === 1,
      20_000,
      'cameras prepared',
    );
    // The gateway on the same private broker as ingest, so its change notices reach the fleet.
    gwCtx = await testContext(t.db, broker.url, { DATA_DIR: dir, CREDENTIAL_KEY: KEY, BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PW });
    gw = await buildApp(gwCtx);
    await gw.ready();
  });

  afterAll(async () => {
    delete process.env.GW_TEST_EAST_PW;
    await fleet?.stop();
    await gw?.close();
    await gwCtx?.bus.close();
    await ctx?.bus.close();
    await responder?.stop();
    await west?.stop();
    await east?.stop();
    await broker?.close();
    await t?.close();
  });

  it('when rules match by urn, property, address range and address, then camera beats site and site beats default', async () => {
    const expected: [number, string, string, string][] = [
      [0, 'admin', 'cam1-pw', `camera:${city.cameras[0].urn}`],
      [1, 'admin', 'compound-pw', 'site:compound'],
      [3, 'admin', 'default-pw', 'default'],
      [4, 'east', 'east-pw', 'site:east'],
      [5, 'east', 'cam6-pw', `camera:${new URL(east.get(id(5))!.xaddr).host}`],
      [6, 'east', 'east-pw', 'site:east'],
      // In prop-0001's cell too, but the first matching site in the file wins.
      [7, 'east', 'east-pw', 'site:east'],
    ];
    for (const [n, username, password, source] of expected) {
      expect((await sealedOf(id(n))).open, id(n)).toMatchObject({ username, password, source });
      expect(await authState(id(n)), id(n)).toBe('ok');
    }
  });

  it('when a camera is placed in the city, then its cell, every ancestor grid unit and its properties are matched', async () => {
    const target = (await new CamerasRepository(t.db).credentialTargets()).find((x) => x.id === id(1))!;
    const parent = (await t.db.query<{ parent_id: string }>('SELECT parent_id FROM grid_units WHERE id = $1', [city.cameras[1].cellId]))
      .rows[0].parent_id;
    expect(target.gridUnits).toEqual(expect.arrayContaining([city.cameras[1].cellId, parent, city.cameras[1].districtId]));
    expect(target.properties).toEqual(['prop-0001']);
  });

  it('when credentials are stored, then the column holds no password in plain text', async () => {
    const r = await t.db.query<{ id: string; credentials_enc: string | null }>('SELECT id, credentials_enc FROM cameras');
    expect(r.rows.every((x) => x.credentials_enc?.startsWith('v1.'))).toBe(true);
    for (const x of r.rows) for (const pw of PASSWORDS) expect(x.credentials_enc, x.id).not.toContain(pw);
  });

  it('when a camera refuses its password, then it is auth_failed; once an administrator sets the right one, it recovers at once', async () => {
    expect(await authState(id(2))).toBe('auth_failed');
    expect(fleet.cameras.get(id(2))!.state).toBe('auth_failed');
    const notices: string[] = [];
    await gwCtx.bus.subscribeRaw(
      filterFor('cameraCredentialsChanged'),
      async (_topic, payload) => void notices.push(payload.toString('utf8')),
    );
    const login = await gw.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: ADMIN_PW } });
    const admin = bearer(login.json().token as string);
    const put = (cameraId: string, payload: unknown) =>
      gw.inject({ method: 'PUT', url: `/api/v1/cameras/${cameraId}/credentials`, headers: admin, payload: payload as object });
    const rounds = fleet.rounds;
    const passes = vi.spyOn(fleet, 'discover');
    expect((await put(id(2), { username: 'admin', password: 'cam3-right' })).statusCode).toBe(204);
    const stored = await sealedOf(id(2));
    expect(stored.raw).not.toContain('cam3-right');
    expect(stored.open).toMatchObject({ username: 'admin', password: 'cam3-right', source: 'api' });
    // DISCOVERY_INTERVAL and HEALTH_INTERVAL are an hour: only the change notice can explain the recovery.
    await until(
      () => fleet.cameras.get(id(2))!.state,
      (s) => s === 'ok',
      10_000,
      'camera recovered through the change notice',
    );
    await until(
      () => authState(id(2)),
      (s) => s === 'ok',
      5_000,
      'auth state recorded',
    );
    expect(fleet.rounds).toBe(rounds);
    expect(passes).not.toHaveBeenCalled();
    passes.mockRestore();
    // The notice names the camera, never its credentials.
    await until(
      () => notices.length,
      (n) => n === 1,
      5_000,
      'notice seen',
    );
    expect(Object.keys(JSON.parse(notices[0])).sort()).toEqual(['cameraId', 'ts']);
    expect(JSON.parse(notices[0]).cameraId).toBe(id(2));
    expect(notices[0]).not.toContain('cam3-right');
    // Another pass with the file unchanged keeps what the administrator set.
    await fleet.discover();
    expect((await sealedOf(id(2))).open).toMatchObject({ password: 'cam3-right', source: 'api' });
    expect(fleet.cameras.get(id(2))!.state).toBe('ok');
  });

  it('when the file changes a rule, then the cameras it covers are sealed again and prepared with the new credentials', async () => {
    writeFileSync(file, JSON.stringify(rules({ compound: 'compound-new', cam3: 'cam3-right' })));
    await fleet.discover();
    await until(
      () => authState(id(1)),
      (s) => s === 'auth_failed',
      15_000,
      'compound camera refuses the new password',
    );
    expect((await sealedOf(id(1))).open).toMatchObject({ password: 'compound-new', source: 'site:compound' });
    // The file's rule for the camera set through the API changed too: the file wins again.
    expect((await sealedOf(id(2))).open).toMatchObject({ password: 'cam3-right', source: `camera:${id(2)}` });
    expect(await authState(id(2))).toBe('ok');
    expect(await authState(id(0))).toBe('ok');
  });

  it('when the credentials file is invalid, then start fails naming the field', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ sites: [{ name: 'x', addresses: ['10.0.0.0/40'], username: 'u', password: 'p' }] }));
    const badCtx = await testContext(t.db, broker.url, { DATA_DIR: dir, CREDENTIAL_KEY: KEY, CAMERA_CREDENTIALS_FILE: bad });
    try {
      await expect(new CameraFleet(badCtx, { discovery: false }).start()).rejects.toThrow(
        /CAMERA_CREDENTIALS_FILE .*bad\.json: sites\.0\.addresses\.0: /,
      );
      writeFileSync(bad, JSON.stringify({ cameras: [{ id: 'c', username: 'u', passwordEnv: 'GW_TEST_NOT_SET' }] }));
      await expect(new CameraFleet(badCtx, { discovery: false }).start()).rejects.toThrow(
        /cameras\.0\.passwordEnv: environment variable GW_TEST_NOT_SET is not set/,
      );
    } finally {
      await badCtx.bus.close();
    }
  });
});
