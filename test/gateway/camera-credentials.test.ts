// PUT /api/v1/cameras/{id}/credentials: administrators only, validated naming the field, 404 for an unknown camera,
// and what is stored is sealed with CREDENTIAL_KEY, never the password itself; ingest is told which camera changed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gatewayTest, type GatewayTest } from './gateway-context.ts';
import { CredentialCipher } from '../../core/credentials/credential-cipher.ts';
import { filterFor } from '../../core/bus/topics.ts';
import { until } from '../ingest/helpers/wait.ts';

const KEY = 'gateway-credential-key';
let t: GatewayTest;
const tokens: Record<string, Record<string, string>> = {};
beforeAll(async () => {
  t = await gatewayTest({ env: { CREDENTIAL_KEY: KEY } });
  for (const u of ['admin', 'monitor1']) tokens[u] = bearer(await t.login(u));
});
afterAll(async () => {
  await t?.close();
});
const put = (user: string, id: string, payload: unknown) =>
  t.app.inject({ method: 'PUT', url: `/api/v1/cameras/${id}/credentials`, headers: tokens[user], payload: payload as object });
const sealed = async (id: string) =>
  (await t.ctx.db.query<{ credentials_enc: string | null }>('SELECT credentials_enc FROM cameras WHERE id = $1', [id])).rows[0]
    ?.credentials_enc;

describe('camera credentials API', () => {
  it('when an administrator sets credentials, then 204, the column holds them sealed and the notice names only the camera', async () => {
    // The shared broker: other tests' notices may arrive too, so this one is picked by camera.
    const notices: string[] = [];
    await t.ctx.bus.subscribeRaw(
      filterFor('cameraCredentialsChanged'),
      async (_topic, payload) => void notices.push(payload.toString('utf8')),
    );
    const r = await put('admin', 'cam-001', { username: 'operator', password: 's3cret-Pa55' });
    expect(r.statusCode).toBe(204);
    expect(r.body).toBe('');
    const stored = (await sealed('cam-001'))!;
    expect(stored).toMatch(/^v1\./);
    expect(stored).not.toContain('s3cret-Pa55');
    expect(CredentialCipher.fromSecret(KEY).decrypt(stored)).toMatchObject({
      username: 'operator',
      password: 's3cret-Pa55',
      source: 'api',
    });
    const mine = await until(
      () => notices.filter((n) => n.includes('"cam-001"')),
      (x) => x.length > 0,
      5_000,
      'change notice',
    );
    expect(Object.keys(JSON.parse(mine[0])).sort()).toEqual(['cameraId', 'ts']);
    expect(mine[0]).not.toContain('s3cret-Pa55');
  });

  it('when the body is wrong, then 400 names the field; an unknown camera is 404; other roles are 403', async () => {
    const noPassword = await put('admin', 'cam-001', { username: 'operator' });
    expect(noPassword.statusCode).toBe(400);
    expect(noPassword.json().field).toBe('body.password');
    const emptyUser = await put('admin', 'cam-001', { username: '', password: 'x' });
    expect(emptyUser.statusCode).toBe(400);
    expect(emptyUser.json().field).toBe('body.username');
    expect((await put('admin', 'cam-001', { username: 'a', password: 'b', extra: 1 })).statusCode).toBe(400);
    expect((await put('admin', 'cam-nope', { username: 'a', password: 'b' })).statusCode).toBe(404);
    expect((await put('monitor1', 'cam-002', { username: 'a', password: 'b' })).statusCode).toBe(403);
    expect(await sealed('cam-002')).toBeNull();
    expect(
      (await t.app.inject({ method: 'PUT', url: '/api/v1/cameras/cam-002/credentials', payload: { username: 'a', password: 'b' } }))
        .statusCode,
    ).toBe(401);
  });
});
