// TRUST_PROXY: behind a proxy the gateway trusts, X-Forwarded-For names the client (so the login limit counts each
// client on its own); without it the header is ignored (attacks.test.ts: a flood with forged addresses is still limited).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayTest, type GatewayTest } from './gateway-context.ts';

const LIMIT = 3;
let t: GatewayTest;
beforeAll(async () => {
  // inject() comes from 127.0.0.1: that is the trusted proxy here.
  t = await gatewayTest({ env: { TRUST_PROXY: '127.0.0.1', LOGIN_RATE_LIMIT: String(LIMIT) } });
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const login = (client: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    headers: { 'x-forwarded-for': client },
    payload: { username: 'admin', password: 'wrong' },
  });

describe('TRUST_PROXY', () => {
  it('when the proxy is trusted, then each forwarded client has its own login limit', async () => {
    const many = [];
    for (let i = 1; i <= LIMIT * 3; i++) many.push((await login(`198.51.100.${i}`)).statusCode);
    expect(many.every((s) => s === 401)).toBe(true);
    const one = [];
    for (let i = 0; i < LIMIT + 2; i++) one.push((await login('203.0.113.7')).statusCode);
    expect(one.slice(0, LIMIT).every((s) => s === 401)).toBe(true);
    expect(one.slice(LIMIT)).toEqual([429, 429]);
  });
});
