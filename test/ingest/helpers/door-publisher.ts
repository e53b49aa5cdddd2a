// A door controller fleet for delivery tests and benchmarks: publishes valid door events with QoS 1 at a
// steady rate from one persistent MQTT session, and resolves when the broker has acknowledged all of them.
import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { doorIntakeTopic } from '../../../core/bus/topics.ts';

export interface PublishedStream {
  ids: string[];
  /** Resolves when every message has its PUBACK (across broker restarts). */
  done: Promise<void>;
  /** Publish time of each event id (ms, performance.now()). */
  sentAt: Map<string, number>;
  /** Continues a stream held at `holdAfter` (see the option). */
  resume(): void;
  close(): Promise<void>;
}

export async function publishDoorEvents(
  url: string,
  doors: readonly { propertyId: string; id: string }[],
  /**
   * `holdAfter`: publishing stops after that many events until `resume()`, so that a part can be killed with the
   * stream certainly in the middle, however slow the machine.
   */
  opts: { count: number; perSecond: number; clientId?: string; holdAfter?: number },
): Promise<PublishedStream> {
  const client = await mqtt.connectAsync(url, {
    clientId: opts.clientId ?? `gw-door-pub-${randomUUID().slice(0, 8)}`,
    clean: false,
    protocolVersion: 5,
    properties: { sessionExpiryInterval: 3600 },
    reconnectPeriod: 200,
  });
  client.on('error', () => {});
  const ids: string[] = [];
  const sentAt = new Map<string, number>();
  const tick = 20;
  const perTick = Math.max(1, Math.round((opts.perSecond * tick) / 1000));
  const acks: Promise<unknown>[] = [];
  let resume!: () => void;
  const resumed = new Promise<void>((r) => (resume = r));
  const done = (async () => {
    let start = performance.now();
    for (let i = 0; i < opts.count;) {
      if (i === opts.holdAfter) {
        const heldAt = performance.now();
        await resumed;
        start += performance.now() - heldAt;
      }
      for (let k = 0; k < perTick && i < opts.count && (k === 0 || i !== opts.holdAfter); k++, i++) {
        const door = doors[i % doors.length];
        const eventId = randomUUID();
        ids.push(eventId);
        sentAt.set(eventId, performance.now());
        const body = JSON.stringify({
          eventId,
          ts: new Date().toISOString(),
          type: i % 7 === 0 ? 'denied' : 'granted',
          direction: i % 2 ? 'in' : 'out',
          credential: { kind: 'card', id: `card-${i % 500}` },
        });
        acks.push(client.publishAsync(doorIntakeTopic(door.propertyId, door.id), body, { qos: 1 }));
      }
      const due = start + (i / opts.perSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await Promise.all(acks);
  })();
  return { ids, done, sentAt, resume, close: () => client.endAsync() };
}
