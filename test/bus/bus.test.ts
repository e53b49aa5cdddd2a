// The bus against the real Mosquitto: routing by subscription identifier, and acknowledgement only after the handler.
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { Bus } from '../../core/bus/bus.ts';

const URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const tag = () => randomBytes(4).toString('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('bus on Mosquitto', () => {
  it('when one connection holds a shared and a plain subscription on the same topic, then each handler gets one copy', async () => {
    const t = tag();
    const bus = await Bus.connect({ url: URL, clientId: `bus-test-${t}`, clean: true });
    const got = { shared: 0, plain: 0 };
    await bus.subscribeRaw(`gwtest/${t}/+`, async () => void got.shared++, `g${t}`);
    await bus.subscribeRaw(`gwtest/${t}/+`, async () => void got.plain++);
    const pub = await mqtt.connectAsync(URL, { protocolVersion: 5 });
    for (let i = 0; i < 5; i++) await pub.publishAsync(`gwtest/${t}/x`, 'hi', { qos: 1 });
    await sleep(500);
    expect(got).toEqual({ shared: 5, plain: 5 });
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
    await sleep(300);
    expect(seen).toEqual([`first:${id}:false`]);
    first.client.end(true); // drop without acknowledging
    await sleep(200);

    const second = await Bus.connect({ url: URL, clientId, clean: false });
    await second.subscribeRaw(`gwtest/${t}/+`, async (_topic, payload, redelivered) => void seen.push(`second:${payload}:${redelivered}`));
    await sleep(500);
    // The broker marks the second delivery (DUP), which lets dead letters tell a redelivery from a repeat.
    expect(seen).toEqual([`first:${id}:false`, `second:${id}:true`]);
    // Once acknowledged it does not come back.
    await second.close();
    const third = await Bus.connect({ url: URL, clientId, clean: true });
    await third.subscribeRaw(`gwtest/${t}/+`, async (_topic, payload) => void seen.push(`third:${payload}`));
    await sleep(300);
    expect(seen).toHaveLength(2);
    await third.close();
    await pub.endAsync();
  });
});
