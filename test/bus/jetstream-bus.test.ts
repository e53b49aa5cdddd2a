// The bus contract on NATS JetStream (the machine's nats-server on 4222): a group is one durable consumer whose members
// split the messages, acknowledgement only after the handler, redelivery of a failed or abandoned message, a client's
// durable consumer keeping what is published while it is away. Each test has its own stream and subject namespace,
// deleted afterwards. No fixed sleeps: tests wait for effects, and "nothing more came" is checked against a fence.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { JetStreamBus, subjectOf, topicOf, type JetStreamBusOptions } from '../../core/bus/jetstream-bus.ts';
import { connectBus } from '../../core/bus/connect.ts';
import type { CameraHealthSample } from '../../core/events/index.ts';
import { until } from '../ingest/helpers/wait.ts';

const URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

const sample = (cameraId: string, note = 'x'): CameraHealthSample => ({
  sampleId: randomUUID(),
  cameraId,
  ts: new Date().toISOString(),
  kind: 'heartbeat',
  reachable: true,
  error: note,
});

/** A stream and namespace of the test's own; `cleanup` deletes the stream with its consumers. */
function scope() {
  const t = randomBytes(4).toString('hex');
  const buses: JetStreamBus[] = [];
  const opts = (o: Partial<JetStreamBusOptions> = {}): JetStreamBusOptions => ({
    url: URL,
    clientId: `gwtest-${t}`,
    stream: `GWTEST_${t}`,
    namespace: `gwtest_${t}`,
    replicas: 1,
    ...o,
  });
  return {
    t,
    open: async (o: Partial<JetStreamBusOptions> = {}) => {
      const bus = await JetStreamBus.connect(opts(o));
      buses.push(bus);
      return bus;
    },
    cleanup: async () => {
      await Promise.allSettled(buses.map((b) => b.close()));
      const nc = await connect({ servers: URL.replace('nats://', '') });
      const jsm = await jetstreamManager(nc);
      await jsm.streams.delete(`GWTEST_${t}`).catch(() => {});
      await nc.close();
    },
  };
}

let current: ReturnType<typeof scope> | undefined;
afterEach(async () => {
  await current?.cleanup();
  current = undefined;
});

describe('topics and subjects', () => {
  it('maps MQTT topics and filters as NATS MQTT does, and refuses a topic with no subject', () => {
    expect(subjectOf('access/p-1/door_2/events')).toBe('access.p-1.door_2.events');
    expect(subjectOf('access/+/+/events')).toBe('access.*.*.events');
    expect(subjectOf('gridwatch/#')).toBe('gridwatch.>');
    expect(topicOf('gridwatch.health.cam-1')).toBe('gridwatch/health/cam-1');
    // A '.' inside a level (ids may hold one) is '//', as nats-server ≥ 2.10 maps it, and comes back.
    expect(subjectOf('gridwatch/health/cam.1')).toBe('gridwatch.health.cam//1');
    expect(topicOf('gridwatch.health.cam//1')).toBe('gridwatch/health/cam.1');
    expect(() => subjectOf('access/p 1/d/events')).toThrow(/no NATS subject/);
    expect(() => subjectOf('access/*/d/events')).toThrow(/no NATS subject/);
    expect(() => subjectOf('/leading')).toThrow(/no NATS subject/);
  });

  it('when the url is nats://, then connectBus opens JetStream; several servers are accepted', async () => {
    const bus = await connectBus({
      url: `${URL},nats://127.0.0.1:4222`,
      clientId: `gwtest-${randomBytes(3).toString('hex')}`,
      clean: true,
    });
    try {
      expect(bus.kind).toBe('jetstream');
      expect(bus.connected).toBe(true);
    } finally {
      await bus.close();
    }
  });
});

describe('bus on NATS JetStream', () => {
  it('when two members share a group, then each message is handled by exactly one of them, and both take part', async () => {
    current = scope();
    const a = await current.open({ clientId: 'a' });
    const b = await current.open({ clientId: 'b' });
    const got = { a: [] as string[], b: [] as string[] };
    // Each member holds its message a moment, so the other is handed the next ones meanwhile.
    const slow = (list: string[]) => async (s: CameraHealthSample) => {
      list.push(s.sampleId);
      await new Promise((r) => setImmediate(r));
    };
    await a.subscribe('healthSample', slow(got.a), 'workers');
    await b.subscribe('healthSample', slow(got.b), 'workers');
    const pub = await current.open({ clientId: 'pub', clean: true });
    const sent: string[] = [];
    for (let i = 0; i < 200; i++) {
      const s = sample(`cam-${i % 7}`);
      sent.push(s.sampleId);
      await pub.publish('healthSample', { cameraId: s.cameraId }, s);
    }
    await until(
      () => got.a.length + got.b.length,
      (n) => n >= 200,
      20_000,
      'all 200 handled',
    );
    expect([...got.a, ...got.b].sort()).toEqual([...sent].sort());
    expect(got.a.length).toBeGreaterThan(0);
    expect(got.b.length).toBeGreaterThan(0);
    await until(
      () => a.pending + b.pending,
      (n) => n === 0,
      5000,
      'everything acknowledged',
    );
  });

  it('when a handler fails, then its message comes again until it succeeds, and later messages are not held back', async () => {
    current = scope();
    const bus = await current.open();
    const attempts = new Map<string, number>();
    const done: string[] = [];
    await bus.subscribeRaw('gridwatch/test/+', async (_topic, payload, redelivered) => {
      const m = String(payload);
      const n = (attempts.get(m) ?? 0) + 1;
      attempts.set(m, n);
      if (m === 'm0' && n <= 2) throw new Error('database away');
      if (m === 'm0') expect(redelivered).toBe(true);
      done.push(m);
    });
    const pub = await current.open({ clientId: 'pub', clean: true });
    // A raw publish on a product subject (the test topic lives in the bus's own stream).
    const nc = await connect({ servers: URL.replace('nats://', '') });
    const { jetstream } = await import('@nats-io/jetstream');
    const js = jetstream(nc);
    for (let i = 0; i < 3; i++) await js.publish(`gwtest_${current.t}.gridwatch.test.x`, `m${i}`);
    await until(
      () => done.length,
      (n) => n === 3,
      10_000,
      'three handled',
    );
    expect(done.slice(0, 2).sort()).toEqual(['m1', 'm2']); // m1 and m2 went on while m0 waited for its redelivery
    expect(done[2]).toBe('m0');
    expect(Object.fromEntries(attempts)).toEqual({ m0: 3, m1: 1, m2: 1 });
    expect(bus.retries).toBe(2);
    await nc.close();
    await pub.close();
  });

  it('when a member stops before its handler finished, then the message goes to another member of the group', async () => {
    current = scope();
    const first = await current.open({ clientId: 'first' });
    const seen: string[] = [];
    await first.subscribeRaw(
      'gridwatch/test/+',
      async (_t, p) => {
        seen.push(`first:${p}`);
        await new Promise(() => {}); // never commits
      },
      'intake',
    );
    const pub = await current.open({ clientId: 'pub', clean: true });
    const nc = await connect({ servers: URL.replace('nats://', '') });
    const { jetstream } = await import('@nats-io/jetstream');
    const js = jetstream(nc);
    await js.publish(`gwtest_${current.t}.gridwatch.test.x`, 'only');
    await until(
      () => seen.length,
      (n) => n === 1,
      10_000,
      'the first delivery',
    );
    // Handed out and not acknowledged while the handler runs.
    const jsm = await jetstreamManager(nc);
    const consumers = await jsm.consumers.list(`GWTEST_${current.t}`).next();
    expect(consumers.map((c) => c.num_ack_pending)).toEqual([1]);
    await first.close();
    const second = await current.open({ clientId: 'second' });
    await second.subscribeRaw('gridwatch/test/+', async (_t, p) => void seen.push(`second:${p}`), 'intake');
    await until(
      () => seen.length,
      (n) => n === 2,
      10_000,
      'the redelivery',
    );
    expect(seen).toEqual(['first:only', 'second:only']);
    // Acknowledged once handled: nothing comes again before a fence published after it.
    await js.publish(`gwtest_${current.t}.gridwatch.test.x`, 'fence');
    await until(
      () => seen.length,
      (n) => n === 3,
      10_000,
      'the fence',
    );
    expect(seen[2]).toBe('second:fence');
    await nc.close();
    await pub.close();
  });

  it('when a member dies without a word while handling, then the message goes to another member after ack_wait, which may hold it longer', async () => {
    current = scope();
    const seen: string[] = [];
    const topic = `gwtest_${current.t}.gridwatch.test.x`;
    const dying = await current.open({ clientId: 'dying', ackWaitMs: 1500 });
    await dying.subscribeRaw(
      'gridwatch/test/+',
      async (_t, p) => {
        seen.push(`dying:${p}`);
        await new Promise(() => {}); // the process dies before it commits
      },
      'intake',
    );
    const nc = await connect({ servers: URL.replace('nats://', '') });
    const { jetstream } = await import('@nats-io/jetstream');
    await jetstream(nc).publish(topic, 'only');
    await until(
      () => seen.length,
      (n) => n === 1,
      10_000,
      'the first delivery',
    );
    // The second member joins, then the first dies as a SIGKILL looks to the server: its connection drops, no NAK.
    const slow = await current.open({ clientId: 'slow', ackWaitMs: 1500 });
    await slow.subscribeRaw(
      'gridwatch/test/+',
      async (_t, p) => {
        seen.push(`slow:${p}`);
        // Busy for more than twice ack_wait: its "working" signals keep the message from being sent again meanwhile.
        if (String(p) === 'only') await new Promise((r) => setTimeout(r, 4000));
      },
      'intake',
    );
    await (dying as unknown as { nc: { close(): Promise<void> } }).nc.close();
    await until(
      () => seen.length,
      (n) => n === 2,
      10_000,
      'the redelivery',
    );
    await until(
      () => slow.pending,
      (n) => n === 0,
      10_000,
      'the slow handler done',
    );
    await jetstream(nc).publish(topic, 'fence');
    await until(() => seen.includes('slow:fence'), Boolean, 10_000, 'the fence');
    expect(seen).toEqual(['dying:only', 'slow:only', 'slow:fence']);
    await nc.close();
  });

  it("when a client without a group is away, then its durable consumer keeps what is published, and a clean one's does not", async () => {
    current = scope();
    const away = await current.open({ clientId: 'keeper' });
    const clean = await current.open({ clientId: 'clean', clean: true });
    const cleanGot: string[] = [];
    await away.subscribe('healthSample', async () => {});
    await clean.subscribe('healthSample', async (s) => void cleanGot.push(s.error ?? ''));
    await away.close();
    const pub = await current.open({ clientId: 'pub', clean: true });
    await pub.publish('healthSample', { cameraId: 'cam-1' }, sample('cam-1', 'while away'));
    await until(
      () => cleanGot.length,
      (n) => n === 1,
      10_000,
      'the clean subscriber',
    );
    const back = await current.open({ clientId: 'keeper' });
    const got: string[] = [];
    await back.subscribe('healthSample', async (s) => void got.push(s.error ?? ''));
    await until(
      () => got.length,
      (n) => n === 1,
      10_000,
      'what was kept',
    );
    expect(got).toEqual(['while away']);
    // A new clean subscriber starts at now.
    const late = await current.open({ clientId: 'late', clean: true });
    const lateGot: string[] = [];
    await late.subscribe('healthSample', async (s) => void lateGot.push(s.error ?? ''));
    await pub.publish('healthSample', { cameraId: 'cam-1' }, sample('cam-1', 'fence'));
    await until(
      () => lateGot.length,
      (n) => n === 1,
      10_000,
      'the fence',
    );
    expect(lateGot).toEqual(['fence']);
  });
});
