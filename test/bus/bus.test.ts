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

  it('when later messages finish first, then PUBACKs still go out in the order the messages came', async () => {
    const t = tag();
    const bus = await Bus.connect({ url: URL, clientId: `bus-test-${t}`, clean: true });
    const acked: number[] = [];
    const stream = bus.client.stream as unknown as { write: (buf: Buffer, ...rest: unknown[]) => boolean };
    const write = stream.write.bind(stream);
    stream.write = (buf, ...rest) => {
      // Our PUBACKs: 0x40 0x02 <id>, several to a write.
      for (let i = 0; Buffer.isBuffer(buf) && i + 3 < buf.length && buf[i] === 0x40 && buf[i + 1] === 2; i += 4) acked.push(buf.readUInt16BE(i + 2));
      return write(buf, ...rest);
    };
    const release: (() => void)[] = [];
    const ids: number[] = [];
    bus.client.on('packetreceive', (p) => void (p.cmd === 'publish' && p.messageId !== undefined && ids.push(p.messageId)));
    await bus.subscribeRaw(`gwtest/${t}/+`, () => new Promise<void>((r) => release.push(r)));
    const pub = await mqtt.connectAsync(URL, { protocolVersion: 5 });
    for (let i = 0; i < 3; i++) await pub.publishAsync(`gwtest/${t}/x`, `m${i}`, { qos: 1 });
    await sleep(300);
    expect(release).toHaveLength(3);
    release[2]();
    release[1]();
    await sleep(200);
    expect(acked).toEqual([]); // the first is still being handled
    release[0]();
    await sleep(200);
    expect(acked).toEqual(ids);
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
