// A status change written by the single-statement path (no outage) goes in the bus outbox with its row: when the
// worker's own publish fails, the outbox relay sends it later. Real Mosquitto and PostgreSQL.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AnalyticsService } from '../../analytics/analytics.service.ts';
import type { MessageBus } from '../../core/bus/message-bus.ts';
import type { CameraStatusChange } from '../../core/events/index.ts';
import { connectBus, eventually, importCity, sample, testContext, tinyCity, type TestContext } from './helpers/analytics-context.ts';

let ctx: TestContext;
let svc: AnalyticsService;
let watcher: MessageBus;
const P = `o${randomBytes(3).toString('hex')}-`;
const received: CameraStatusChange[] = [];
/** While set, the worker's publishes of status changes fail, as on a broker that refuses them. */
let refuseStatus = true;
let refused = 0;

beforeAll(async () => {
  ctx = await testContext({ OUTBOX_HOLD: '1s' });
  await importCity(ctx, tinyCity(P));
  const bus = ctx.bus;
  ctx.bus = new Proxy(bus, {
    get(target, prop, receiver) {
      if (prop !== 'publish') return Reflect.get(target, prop, receiver) as unknown;
      return (async (name, params, payload) => {
        if (name === 'cameraStatus' && refuseStatus) {
          refused++;
          throw new Error('broker refused the publish (test)');
        }
        return target.publish(name, params, payload);
      }) as MessageBus['publish'];
    },
  });
  svc = new AnalyticsService(ctx, { group: `t-${P}` });
  await svc.start();
  // What the gateway's live push would receive, on a connection of its own.
  watcher = await connectBus();
  await watcher.subscribe('cameraStatus', async (m) => void (m.cameraId.startsWith(P) && received.push(m)));
});
afterAll(async () => {
  await svc?.stop();
  await watcher?.close();
  await ctx?.close();
});

it("when a status change's publish fails, then the change is in the outbox with its row and the relay sends it once", async () => {
  const cam = `${P}A`;
  await ctx.bus.publish('healthSample', { cameraId: cam }, sample(cam, ctx.clock.now(), true));
  // The first check passed: unknown → online, a change without an outage (the single-statement path).
  await eventually(async () => refused >= 1, 30_000);
  refuseStatus = false;
  const [msg] = await eventually(async () => received.length > 0 && received, 30_000);
  expect(msg).toMatchObject({ cameraId: cam, from: 'unknown', to: 'online' });
  // Sent by the relay and then out of the outbox: not sent again.
  await new Promise((r) => setTimeout(r, 3000));
  expect(received).toHaveLength(1);
});
