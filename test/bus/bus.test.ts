// The bus against the real Mosquitto: routing by subscription identifier, and acknowledgement only after the handler.
// No fixed sleeps: a test waits for the effect, and "nothing more came" is checked against a fence message published
// after the others (the broker hands one client its messages in order), or after the turn in which PUBACKs are written.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { Bus } from '../../core/bus/bus.ts';
import { until } from '../ingest/helpers/wait.ts';

const URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const tag = () => randomBytes(4).toString('hex');
/** One turn past the setImmediate in which the bus writes the PUBACKs due. */
const ackTurn = () => new Promise((r) => setImmediate(() => setImmediate(r)));

/** Records the PUBACKs the bus writes (0x40 0x02 <id>, several to a write). */
function recordAcks(bus: Bus): number[] {
  const acked: number[] = [];
  const stream = bus.client.stream as unknown as { write: (buf: Buffer, ...rest: unknown[]) => boolean };
  const write = stream.write.bind(stream);
  stream.write = (buf, ...rest) => {
    for (let i = 0; Buffer.isBuffer(buf) && i + 3 < buf.length && buf[i] === 0x40 && buf[i + 1] === 2; i += 4)
      acked.push(buf.readUInt16BE(i + 2));
    return write(buf, ...rest);
  };
  return acked;
}

describe('bus on Mosquitto', () => {
  it('when one connection holds a shared and a plain subscription on the same topic, then each handler gets one copy', async () => {
    const t = tag();
    const bus = await Bus.connect({ url: URL, clientId: `bus-test-${t}`, clean: true });
    const got = { shared: [] as string[], plain: [] as string[] };
    await bus.subscribeRaw(`gwtest/${t}/+`, async (_t, p) => void got.shared.push(String(p)), `g${t}`);
    await bus.subscribeRaw(`gwtest/${t}/+`, async (_t, p) => void got.plain.push(String(p)));
    const pub = await mqtt.connectAsync(URL, { protocolVersion: 5 });
    for (let i = 0; i < 5; i++) await pub.publishAsync(`gwtest/${t}/x`, 'hi', { qos: 1 });
    await pub.publishAsync(`gwtest/${t}/x`, 'fence', { qos: 1 });
    await until(
      () => got,
      (g) => g.shared.includes('fence') && g.plain.includes('fence'),
      10_000,
      'the fence on both subscriptions',
    );
    expect(got).toEqual({ shared: [...Array(5).fill('hi'), 'fence'], plain: [...Array(5).fill('hi'), 'fence'] });
    await pub.endAsync();
    await bus.close();
  });

  it('when later messages finish first, then PUBACKs still go out in the order the messages came', async () => {
    const t = tag();
    const bus = await Bus.connect({ url: URL, clientId: `bus-test-${t}`, clean: true });
    const acked = recordAcks(bus);
    const release: (() => void)[] = [];
    const ids: number[] = [];
    bus.client.on('packetreceive', (p) => void (p.cmd === 'publish' && p.messageId !== undefined && ids.push(p.messageId)));
    await bus.subscribeRaw(`gwtest/${t}/+`, () => new Promise<void>((r) => release.push(r)));
    const pub = await mqtt.connectAsync(URL, { protocolVersion: 5 });
    for (let i = 0; i < 3; i++) await pub.publishAsync(`gwtest/${t}/x`, `m${i}`, { qos: 1 });
    await until(
      () => release.length,
      (n) => n === 3,
      10_000,
      'three handlers running',
    );
    release[2]();
    release[1]();
    await ackTurn();
    expect(acked).toEqual([]); // the first is still being handled
    release[0]();
    await until(
      () => acked.length,
      (n) => n === 3,
      10_000,
      'three PUBACKs',
    );
    expect(acked).toEqual(ids);
    await pub.endAsync();
    await bus.close();
  });

  it('when a handler fails (the database away), then it is run again until it succeeds and nothing after it is acknowledged before', async () => {
    const t = tag();
    const bus = await Bus.connect({ url: URL, clientId: `bus-test-${t}`, clean: true });
    const acked = recordAcks(bus);
    const ids: number[] = [];
    bus.client.on('packetreceive', (p) => void (p.cmd === 'publish' && p.messageId !== undefined && ids.push(p.messageId)));
    const attempts: Record<string, number> = {};
    const ackedAtSecondAttempt: number[][] = [];
    await bus.subscribeRaw(`gwtest/${t}/+`, async (_topic, payload) => {
      const m = String(payload);
      attempts[m] = (attempts[m] ?? 0) + 1;
      if (m === 'm0' && attempts[m] === 2) ackedAtSecondAttempt.push([...acked]);
      if (m === 'm0' && attempts[m] <= 2) throw new Error('database away');
    });
    const pub = await mqtt.connectAsync(URL, { protocolVersion: 5 });
    for (let i = 0; i < 3; i++) await pub.publishAsync(`gwtest/${t}/x`, `m${i}`, { qos: 1 });
    await until(
      () => acked.length,
      (n) => n === 3,
      10_000,
      'three PUBACKs',
    );
    expect(attempts).toEqual({ m0: 3, m1: 1, m2: 1 });
    expect(ackedAtSecondAttempt).toEqual([[]]); // m1 and m2 were done long before, but wait behind m0
    expect(acked).toEqual(ids);
    expect(bus.retries).toBe(2);
    await pub.endAsync();
    await bus.close();
  });

  it('when a handler has not finished before the connection drops, then the message is delivered again', async () => {
    const t = tag();
    const clientId = `bus-test-${t}`;
    const first = await Bus.connect({ url: URL, clientId, clean: false });
    const seen: string[] = [];
    await first.subscribeRaw(`gwtest/${t}/+`, async (_topic, payload, redelivered) => {
      seen.push(`first:${payload}:${redelivered}`);
      await new Promise(() => {}); // never commits
    });
    const pub = await mqtt.connectAsync(URL, { protocolVersion: 5 });
    const id = randomUUID();
    await pub.publishAsync(`gwtest/${t}/x`, id, { qos: 1 });
    await until(
      () => seen.length,
      (n) => n === 1,
      10_000,
      'the first delivery',
    );
    expect(seen).toEqual([`first:${id}:false`]);
    await new Promise<void>((r) => first.client.end(true, {}, () => r())); // drop without acknowledging

    const second = await Bus.connect({ url: URL, clientId, clean: false });
    let handled!: () => void;
    const secondHandled = new Promise<void>((r) => (handled = r));
    await second.subscribeRaw(`gwtest/${t}/+`, async (_topic, payload, redelivered) => {
      seen.push(`second:${payload}:${redelivered}`);
      handled();
    });
    await secondHandled;
    // Closed the moment the handler is done: close must still send the acknowledgement of what was handled.
    await second.close();
    // The broker marks the second delivery (DUP), which lets dead letters tell a redelivery from a repeat.
    expect(seen).toEqual([`first:${id}:false`, `second:${id}:true`]);
    // Once acknowledged it does not come back: the resumed session hands over nothing before a fence sent after it.
    const third = await Bus.connect({ url: URL, clientId, clean: false });
    await third.subscribeRaw(`gwtest/${t}/+`, async (_topic, payload) => void seen.push(`third:${payload}`));
    await pub.publishAsync(`gwtest/${t}/x`, 'fence', { qos: 1 });
    await until(
      () => seen.length,
      (n) => n >= 3,
      10_000,
      'the fence',
    );
    expect(seen).toEqual([`first:${id}:false`, `second:${id}:true`, 'third:fence']);
    await third.close();
    // Leave no persistent session behind on the shared broker.
    const cleanup = await Bus.connect({ url: URL, clientId, clean: true });
    await cleanup.close();
    await pub.endAsync();
  });
});
