// The gateway serves the built dashboard with a page fallback, keeps JSON 404s for the API, and serves /docs.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureDashboardBuilt } from '../../dashboard/build-if-missing.ts';
import { gatewayTest, type GatewayTest } from './gateway-context.ts';

let t: GatewayTest;
beforeAll(async () => {
  await ensureDashboardBuilt();
  t = await gatewayTest({ city: false });
});
afterAll(async () => t?.close());

it('when a browser asks for / or any page path, then it gets the dashboard', async () => {
  for (const url of ['/', '/live', '/cameras/cam-001']) {
    const r = await t.app.inject({ url });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/text\/html/);
    expect(r.body).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
  }
  const js = (await t.app.inject({ url: '/' })).body.match(/src="(\/assets\/[^"]+\.js)"/)![1];
  const asset = await t.app.inject({ url: js });
  expect(asset.statusCode).toBe(200);
  expect(asset.headers['cache-control']).toMatch(/immutable/);
});

it('when an unknown API path, asset or the docs are asked for, then JSON 404, 404, and the OpenAPI UI', async () => {
  const api = await t.app.inject({ url: '/api/v1/nothing-here' });
  expect(api.statusCode).toBe(404);
  expect(api.json()).toMatchObject({ error: 'Not Found' });
  expect((await t.app.inject({ url: '/assets/missing.js' })).statusCode).toBe(404);
  const docs = await t.app.inject({ url: '/docs/' });
  expect(docs.statusCode).toBe(200);
  expect(docs.body).toMatch(/swagger/i);
});
