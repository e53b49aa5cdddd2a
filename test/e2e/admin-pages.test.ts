// In a real Chromium against the real gateway and PostgreSQL: the administrators' Dead letters page lists refused input
// with its reason and count (and nobody else sees it), and the Cameras page sets a camera's credentials, sealed.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { baseUrl, gatewayTest, type GatewayTest } from '../gateway/gateway-context.ts';
import { seed } from '../gateway/seed.ts';
import { DeadLettersRepository } from '../../core/db/repositories/dead-letters.repository.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { CredentialCipher } from '../../core/credentials/credential-cipher.ts';
import { ensureDashboardBuilt, launch, loggedIn } from './browser.ts';

const KEY = 'e2e-credential-key';
const BAD_TS = 'invalid payload: /ts must match format "date-time"';
let t: GatewayTest;
let browser: Browser;
let base: string;
beforeAll(async () => {
  await ensureDashboardBuilt();
  t = await gatewayTest({ listen: true, env: { CREDENTIAL_KEY: KEY } });
  await seed(t.ctx.db);
  const dead = new DeadLettersRepository(t.ctx.db);
  // The same message three times (one a broker redelivery, not counted) and a long one, stored cut.
  const repeated = { source: 'door', topic: 'access/p1/p1-door1/events', reason: BAD_TS, payload: '{"ts":"yesterday","type":"granted"}' };
  await dead.insertMany([repeated, repeated]);
  await dead.insertMany([{ ...repeated, redelivered: true }]);
  await dead.insertMany([
    {
      source: 'door',
      topic: 'access/p2/p2-door1/events',
      reason: 'payload too large: 5000 bytes',
      payload: `{"pad":"${'x'.repeat(5000)}"}`,
    },
  ]);
  await new CamerasRepository(t.ctx.db).setAuthState('cam-002', 'auth_failed');
  base = baseUrl(t);
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
  await t?.close();
});

const sealed = async (id: string) =>
  (await t.ctx.db.query<{ credentials_enc: string | null }>('SELECT credentials_enc FROM cameras WHERE id = $1', [id])).rows[0]
    ?.credentials_enc ?? null;

it('when an administrator opens Dead letters, then refused input shows with reason class, reason, count and payload; the source filter and zh-CN work', async () => {
  const page = await loggedIn(browser, base, 'admin');
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.locator('header nav a[href="#/dead-letters"]', { hasText: 'Dead letters' }).click();
  await page.locator('main#page-dead-letters').waitFor();
  const rows = page.locator('main tr.dead-letter');
  await expect.poll(() => rows.count()).toBe(3);
  expect(await page.locator('main .state.error').count()).toBe(0);

  const bad = rows.filter({ hasText: 'access/p1/p1-door1/events' });
  expect(await bad.locator('.badge').textContent()).toBe('invalid payload');
  expect(await bad.locator('.reason-text').textContent()).toBe(BAD_TS);
  expect(await bad.locator('td.occurrences').textContent()).toBe('2');
  const payload = bad.locator('details.payload');
  expect(await payload.locator('pre').isVisible()).toBe(false);
  await payload.locator('summary').click();
  expect(await payload.locator('pre').textContent()).toBe('{"ts":"yesterday","type":"granted"}');
  // The time is the last arrival in the viewer's zone, with the first arrival in the title.
  expect(await bad.locator('time').getAttribute('title')).toMatch(/^First arrival /);
  const big = rows.filter({ hasText: 'payload too large' });
  expect(await big.locator('td.size').textContent()).toBe('5010 bytes');
  await big.locator('details.payload summary').click();
  expect(await big.locator('details.payload small').textContent()).toContain('4096');
  await page.locator('[data-testid=reason-chart] canvas').waitFor();

  const source = page.locator('main input[name=source]');
  await source.fill('door-intake');
  await expect.poll(() => rows.count()).toBe(1);
  expect(await rows.first().textContent()).toContain('unknown door');
  await source.fill('nobody');
  await page.locator('main .state.empty', { hasText: 'No rejected input.' }).waitFor();
  expect(await page.locator('[data-testid=reason-chart]').isVisible()).toBe(false);

  await page.locator('header button.lang').click();
  await page.locator('header nav a[href="#/dead-letters"]', { hasText: '拒收消息' }).waitFor();
  await expect.poll(() => page.locator('main th').allTextContents()).toContain('次数');
  expect(errors).toEqual([]);
  await page.context().close();
});

it('when a monitor is logged in, then there is no Dead letters entry, its address shows Live, and the API refuses the data', async () => {
  const page = await loggedIn(browser, base, 'monitor1');
  expect(await page.locator('header nav a[href="#/dead-letters"]').count()).toBe(0);
  await page.goto(`${base}/#/dead-letters`);
  await page.locator('main#page-live').waitFor();
  const status = await page.evaluate(async () => {
    const s = JSON.parse(localStorage.getItem('gridwatch.session')!);
    return (await fetch('/api/v1/dead-letters', { headers: { authorization: `Bearer ${s.token}` } })).status;
  });
  expect(status).toBe(403);
  await page.goto(`${base}/#/cameras`);
  await page.locator('main#page-cameras tbody tr').first().waitFor();
  expect(await page.locator('main button.set-credentials').count()).toBe(0);
  await page.context().close();
});

it("when an administrator sets a camera's credentials, then they are stored sealed; an empty or too long username shows the API's message", async () => {
  const page = await loggedIn(browser, base, 'admin');
  await page.goto(`${base}/#/cameras`);
  const row = page.locator('main#page-cameras tbody tr', { has: page.locator('td.mono', { hasText: /^cam-002$/ }) });
  await row.waitFor();
  expect(await row.locator('.badge.auth-auth_failed').textContent()).toBe('auth failed');
  const before = await sealed('cam-002');
  await row.locator('button.set-credentials').click();
  const form = page.locator('main form.credentials');
  await form.locator('input[name=username]').fill('operator');
  await form.locator('input[name=password]').fill('Pa55-e2e-secret');
  expect(await form.locator('input[name=password]').getAttribute('type')).toBe('password');
  await form.locator('button[type=submit]').click();
  await page.locator('main .credentials-result .state.ok').waitFor();
  expect(await form.locator('input[name=password]').inputValue()).toBe('');
  const after = await sealed('cam-002');
  expect(after).not.toBe(before);
  expect(after).toMatch(/^v1\./);
  expect(after).not.toContain('Pa55-e2e-secret');
  expect(CredentialCipher.fromSecret(KEY).decrypt(after!)).toMatchObject({ username: 'operator', password: 'Pa55-e2e-secret' });
  expect(await page.locator('body').textContent()).not.toContain('Pa55-e2e-secret');

  for (const username of ['', 'u'.repeat(257)]) {
    await form.locator('input[name=username]').fill(username);
    await form.locator('input[name=password]').fill('whatever');
    await form.locator('button[type=submit]').click();
    const msg = page.locator('main .credentials-result .state.error');
    await msg.waitFor();
    expect(await msg.textContent()).toContain('body.username');
  }
  expect(await sealed('cam-002')).toBe(after);
  await page.context().close();
});
