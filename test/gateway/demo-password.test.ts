// A second start with another DEMO_PASSWORD applies it to the demo users (the old one stops working), and says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayTest, PASSWORD, type GatewayTest } from './gateway-context.ts';

let t: GatewayTest;
beforeAll(async () => {
  t = await gatewayTest();
});
afterAll(async () => t?.close());

describe('DEMO_PASSWORD on a second start', () => {
  it('when the demo restarts with a new DEMO_PASSWORD, then the demo users log in with it and no longer with the old one; admin keeps its own', async () => {
    expect(await t.login('monitor1')).toBeTypeOf('string');
    const again = await gatewayTest({ testDb: t.testDb, city: false, env: { DEMO_PASSWORD: 'second-demo-pass' } });
    try {
      for (const u of ['monitor1', 'manager1', 'supervisor1']) {
        expect(await again.login(u, 'second-demo-pass')).toBeTypeOf('string');
        await expect(again.login(u, PASSWORD)).rejects.toThrow(/401/);
      }
      expect(await again.login('admin', PASSWORD)).toBeTypeOf('string');
      // The scope the demo users had is kept.
      const me = await again.app.inject({
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${await again.login('manager1', 'second-demo-pass')}` },
      });
      expect(me.json().properties.length).toBe(1);
    } finally {
      await again.close();
    }
  });
});
