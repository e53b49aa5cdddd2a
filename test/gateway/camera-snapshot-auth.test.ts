// The snapshot API asks the camera with the credentials ingest holds for it (sealed in cameras.credentials_enc),
// answering the camera's Digest challenge, against simulated cameras that want HTTP Digest; and the camera API
// says which inventory calls failed and which optional services a camera lacks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { CredentialCipher } from '../../core/credentials/credential-cipher.ts';
import { startSimulatedCameras, type SimulatedCameras } from '../../fixtures/index.ts';
import { bearer, gatewayTest, type GatewayTest } from './gateway-context.ts';

const KEY = 'snapshot-auth-test-key';
let t: GatewayTest;
let sim: SimulatedCameras;
let token: Record<string, string>;

beforeAll(async () => {
  t = await gatewayTest({ env: { CREDENTIAL_KEY: KEY, HEALTH_TIMEOUT: '3s' } });
  token = bearer(await t.login('monitor1'));
  sim = await startSimulatedCameras({
    cameras: 1,
    seed: 5,
    basePort: 22400,
    password: 'digest-pass',
    quirks: () => ['http-digest'],
    faces: false,
  });
}, 60_000);

afterAll(async () => {
  await sim?.stop();
  await t?.close();
});

const get = (url: string) => t.app.inject({ url, headers: token });

describe('camera snapshot with the camera credentials', () => {
  it('when the camera wants Digest, then the snapshot comes with the held credentials; wrong or none are a 502 that says so', async () => {
    const repo = new CamerasRepository(t.ctx.db);
    const cipher = CredentialCipher.fromSecret(KEY);
    const uri = sim.cameras[0].snapshotUri;
    for (const id of ['cam-001', 'cam-002', 'cam-003']) await repo.setMediaUris(id, { snapshotUri: uri });
    await repo.setCredentials('cam-001', cipher.encrypt({ username: 'admin', password: 'digest-pass', source: 'api' }));
    await repo.setCredentials('cam-002', cipher.encrypt({ username: 'admin', password: 'wrong', source: 'api' }));
    const ok = await get('/api/v1/cameras/cam-001/snapshot');
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toBe('image/jpeg');
    expect([...ok.rawPayload.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const wrong = await get('/api/v1/cameras/cam-002/snapshot');
    expect(wrong.statusCode).toBe(502);
    expect(wrong.json().message).toMatch(/refused the credentials/);
    const none = await get('/api/v1/cameras/cam-003/snapshot');
    expect(none.statusCode).toBe(502);
    expect(none.json().message).toMatch(/401 and no credentials/);
  });
});

describe('camera inventory errors', () => {
  it('when the last inventory had a failed call and a missing service, then the camera API says which', async () => {
    const repo = new CamerasRepository(t.ctx.db);
    await repo.updateInventory(
      'cam-001',
      {
        manufacturer: 'Gridwatch Sim',
        profiles: [],
        streamUri: 'rtsp://127.0.0.1:22401/main',
        errors: [{ call: 'GetSnapshotUri', errorClass: 'timeout', message: 'no answer within 3000 ms' }],
        capabilities: { events: false, snapshot: true, videoSources: true },
      },
      new Date(),
    );
    const r = await get('/api/v1/cameras/cam-001');
    expect(r.statusCode).toBe(200);
    expect(r.json()).toMatchObject({
      manufacturer: 'Gridwatch Sim',
      streamUri: 'rtsp://127.0.0.1:22401/main',
      inventoryErrors: [{ call: 'GetSnapshotUri', errorClass: 'timeout', message: 'no answer within 3000 ms' }],
      capabilities: { events: false, snapshot: true },
    });
  });
});
