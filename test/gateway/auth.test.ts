// Login, tokens, roles, the first users and the 400 that names the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, gatewayTest, PASSWORD, type GatewayTest } from './gateway-context.ts';
import { bootstrapUsers } from '../../gateway/auth/bootstrap-users.ts';

let t: GatewayTest;
beforeAll(async () => {
  t = await gatewayTest();
});
afterAll(async () => t?.close());

describe('auth', () => {
  it('when the database is empty, then admin and the demo users exist with scopes from the city', async () => {
    const me = async (u: string) => (await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(await t.login(u)) })).json();
    expect(await me('admin')).toMatchObject({ username: 'admin', role: 'admin', districts: [], properties: [] });
    expect(await me('monitor1')).toMatchObject({ role: 'monitor', districts: ['d1'] });
    expect(await me('manager1')).toMatchObject({ role: 'property_manager', properties: ['p1'] });
    expect(await me('supervisor1')).toMatchObject({ role: 'supervisor', districts: [] });
  });

  it('when the password is wrong or the user unknown, then 401 without saying which', async () => {
    for (const payload of [
      { username: 'admin', password: 'nope' },
      { username: 'ghost', password: PASSWORD },
    ]) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload });
      expect(r.statusCode).toBe(401);
      expect(r.json().message).toBe('wrong username or password');
    }
  });

  it('when a field is missing or wrong, then 400 names it', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin' } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: 'Bad Request', field: 'body.password' });
    const r2 = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'x', extra: 1 } });
    expect(r2.statusCode).toBe(400);
    expect(r2.json().field).toBe('body.extra');
  });

  it('when no token, a forged token or an expired token is sent, then 401', async () => {
    expect((await t.app.inject({ url: '/api/v1/auth/me' })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: bearer('a.b.c') })).statusCode).toBe(401);
    const expired = t.app.jwt.sign({ sub: '1', username: 'admin', role: 'admin', districts: [], properties: [] }, { expiresIn: '1s' });
    await new Promise((r) => setTimeout(r, 1100));
    const r = await t.app.inject({ url: '/api/v1/auth/me', headers: bearer(expired) });
    expect(r.statusCode).toBe(401);
    expect(r.json().message).toBe('token expired');
  });

  it('when the gateway restarts on the same data, then the users are not created twice and old passwords still work', async () => {
    const again = await gatewayTest({ testDb: t.testDb, city: false });
    try {
      expect(await again.login('manager1')).toBeTypeOf('string');
    } finally {
      await again.close();
    }
  });
});

describe('first administrator', () => {
  it('when a demo started without BOOTSTRAP_ADMIN_PASSWORD restarts with it, then admin is created; once one exists, the variable changes nothing', async () => {
    const g = await gatewayTest({ env: { BOOTSTRAP_ADMIN_PASSWORD: '' } });
    try {
      await expect(g.login('admin')).rejects.toThrow(/401/);
      expect(await g.login('monitor1')).toBeTypeOf('string');
      await bootstrapUsers({ ...g.ctx, config: { ...g.ctx.config, bootstrapAdminPassword: 'second-start-pass' } });
      const me = await g.app.inject({ url: '/api/v1/auth/me', headers: bearer(await g.login('admin', 'second-start-pass')) });
      expect(me.json()).toMatchObject({ username: 'admin', role: 'admin' });
      await bootstrapUsers({ ...g.ctx, config: { ...g.ctx.config, bootstrapAdminPassword: 'third-start-pass' } });
      await expect(g.login('admin', 'third-start-pass')).rejects.toThrow(/401/);
      expect(await g.login('admin', 'second-start-pass')).toBeTypeOf('string');
    } finally {
      await g.close();
    }
  });
});

describe('login rate limit', () => {
  it('when one address tries too often, then 429', async () => {
    const limited = await gatewayTest({ env: { LOGIN_RATE_LIMIT: '3' }, city: false });
    try {
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) {
        codes.push(
          (await limited.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'bad' } }))
            .statusCode,
        );
      }
      expect(codes).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
