// Publishing into a re-subscription gap, on a Mosquitto of the test's own: Mosquitto 2.0 restores sessions after a
// restart without their shared subscriptions and answers "no matching subscribers" (MQTT 5 PUBACK 0x10) until the
// workers subscribe again. The bus sends such a message again until a subscriber takes it, for a topic that had
// subscribers, and gives up after the grace when they stay away.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt, { type MqttClient } from 'mqtt';
import { Bus } from '../../core/bus/bus.ts';
import { topicFor } from '../../core/bus/topics.ts';
import { startMosquitto, type TestBroker } from '../ingest/helpers/mosquitto.ts';
import { until } from '../ingest/helpers/wait.ts';

const tag = () => randomBytes(4).toString('hex');

describe('bus publish while a topic has no subscriber', () => {
  let broker: TestBroker;
  let pub: Bus;
  let worker: MqttClient;
  const got: string[] = [];

  beforeAll(async () => {
    broker = await startMosquitto();
    pub = await Bus.connect({ url: broker.url, clientId: `gap-pub-${tag()}`, clean: true, resubscribeGraceMs: 1500 });
    worker = await mqtt.connectAsync(broker.url, { protocolVersion: 5, clean: true });
    worker.on('message', (_topic, payload) => void got.push((JSON.parse(String(payload)) as { eventId: string }).eventId));
  }, 30_000);
  afterAll(async () => {
    await worker?.endAsync();
    await pub?.close();
    await broker?.close();
  });

  const event = (cameraId: string) => {
    const eventId = randomUUID();
    return {
      eventId,
      send: pub.publish('cameraEvent', { cameraId }, { eventId, cameraId, ts: new Date().toISOString(), kind: 'motion_start' }),
    };
  };

  it('when a topic never had a subscriber, then a publish returns at once without sending again', async () => {
    const before = { ...pub.republished };
    await event(`cam-never-${tag()}`).send;
    expect(pub.republished).toEqual(before);
  });

  it('when the shared subscribers of a topic are away and come back, then the message is sent again until they take it', async () => {
    const cam = `cam-${tag()}`;
    const filter = `$share/workers/${topicFor('cameraEvent', { cameraId: cam })}`;
    await worker.subscribeAsync(filter, { qos: 1 });
    const first = event(cam);
    await first.send;
    await until(
      () => got,
      (g) => g.includes(first.eventId),
      10_000,
      'the first event',
    );
    // The workers' subscription is gone, as after a broker restart, until they subscribe again.
    await worker.unsubscribeAsync(filter);
    const sentBefore = pub.republished.sent;
    const second = event(cam);
    let resolved = false;
    void second.send.then(() => (resolved = true));
    await until(
      () => pub.republished.sent,
      (n) => n >= sentBefore + 2,
      10_000,
      'the publish sent again',
    );
    expect(resolved).toBe(false);
    await worker.subscribeAsync(filter, { qos: 1 });
    await second.send;
    await until(
      () => got,
      (g) => g.includes(second.eventId),
      10_000,
      'the second event',
    );
    expect(pub.republished.dropped).toBe(0);
    await worker.unsubscribeAsync(filter);
  });

  it('when the subscribers stay away past the grace, then the publish gives up, counts it, and later ones do not wait', async () => {
    const cam = `cam-${tag()}`;
    const filter = `$share/workers/${topicFor('cameraEvent', { cameraId: cam })}`;
    // The name has reached a subscriber in this bus's life (the test above), so no answer means "away".
    await worker.subscribeAsync(filter, { qos: 1 });
    await event(cam).send;
    await worker.unsubscribeAsync(filter);
    const dropped = pub.republished.dropped;
    await event(cam).send;
    expect(pub.republished.dropped).toBe(dropped + 1);
    const sent = pub.republished.sent;
    await event(cam).send;
    expect(pub.republished.sent).toBe(sent);
  });
});
