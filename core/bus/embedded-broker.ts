// The embedded MQTT broker (aedes, MQTT 3.1.1, in memory) for the all-in-one start without a server.
import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { topicMatches } from './topic-match.ts';

/** Takes one client publish; the client's acknowledgement waits until the returned promise settles. */
export type PublishHandler = (topic: string, payload: Buffer, redelivered: boolean) => Promise<void>;

export interface EmbeddedBroker {
  url: string;
  port: number;
  /**
   * Hands clients' publishes on topics matching `filter` to `handler` before the broker acknowledges them. aedes
   * writes a QoS 1 PUBACK before it publishes to subscribers, so a subscriber that commits what it receives (the
   * door intake) cannot hold that acknowledgement back, and a kill -9 between the two loses what was acknowledged.
   * aedes asks authorizePublish first and waits for it: the handler runs there. A handler that fails refuses the
   * publish (aedes then closes that client's connection, unacknowledged, and the client sends it again).
   */
  intercept(filter: string, handler: PublishHandler): void;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  port?: number;
  host?: string;
  /**
   * Client publishes on topics matching these filters wait, unacknowledged, until an interceptor for them is
   * registered: the broker listens before the services start, and a controller that reconnects in between must not
   * be acknowledged for a message nobody took.
   */
  holdFor?: string[];
}

export async function startEmbeddedBroker(o: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const { port = 0, host = '127.0.0.1', holdFor = [] } = o;
  const broker = await Aedes.createBroker();
  const intercepts: { filter: string; handler: PublishHandler }[] = [];
  /** Publishes held for an interceptor not registered yet: each is asked again when one is. */
  let held: (() => void)[] = [];
  let closing = false;
  const authorize: Aedes['authorizePublish'] = (client, packet, done) => {
    if (!client) return done(null);
    const taker = intercepts.find((i) => topicMatches(i.filter, packet.topic));
    if (!taker) {
      if (!holdFor.some((f) => topicMatches(f, packet.topic))) return done(null);
      if (closing) return done(new Error('broker closing'));
      held.push(() => authorize(client, packet, done));
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    taker.handler(packet.topic, payload, packet.dup === true).then(
      () => done(null),
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
  };
  broker.authorizePublish = authorize;
  const server: Server = createServer(broker.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://${host}:${actual}`,
    port: actual,
    intercept: (filter, handler) => {
      intercepts.push({ filter, handler });
      const again = held;
      held = [];
      for (const ask of again) ask();
    },
    close: async () => {
      closing = true;
      const again = held;
      held = [];
      for (const ask of again) ask();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}
