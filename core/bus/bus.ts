// The message bus over MQTT: QoS 1, persistent sessions, JSON payloads, typed topics, and acknowledgement
// only after the handler has finished (so a message is never acked before its row is committed).
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import { filterFor, topicFor, topics, type ParamsOf, type PayloadOf, type TopicName } from './topics.ts';
import { topicMatches } from './topic-match.ts';
import { validator } from '../events/validate.ts';
import type { Logger } from '../log.ts';

/** `redelivered`: the broker's DUP flag, set when it sends a message again that it sent this session before. */
export type RawHandler = (topic: string, payload: Buffer, redelivered: boolean) => Promise<void>;

export interface BusOptions {
  url: string;
  clientId: string;
  /** MQTT 5 unless the broker is the embedded aedes (3.1.1 only). */
  protocolVersion?: 4 | 5;
  /** false = persistent session: the broker keeps QoS 1 messages while we are away. */
  clean?: boolean;
  log?: Logger;
}

/** A QoS 1 message awaiting its PUBACK, in the order the broker sent it. */
interface Unacked {
  id: number;
  state: 'pending' | 'ack' | 'skip';
  /** Held for a late subscriber: acknowledged whenever it is handled, outside the order. */
  detached?: boolean;
}

interface Subscription {
  filter: string;
  handler: RawHandler;
  /** MQTT 5 subscription identifier: the broker tags each message with the subscriptions it was sent for. */
  id: number;
}

export class Bus {
  readonly client: MqttClient;
  readonly shared: boolean;
  private readonly subs: Subscription[] = [];
  private readonly orphans: { topic: string; payload: Buffer; dup: boolean; resolve: () => void; reject: (err: unknown) => void }[] = [];
  /** PUBACKs due, written together once per turn of the event loop (a committed batch frees thousands at once). */
  private acks: number[] = [];
  private acksScheduled = false;
  /**
   * PUBACKs go out in the order the messages came (MQTT 3.1.1 §4.6 asks it of a receiver). Besides the spec,
   * Mosquitto 2.0 finds an acknowledged message by walking its in-flight list from the oldest: acks out of order
   * (two batches committing in either order) cost it a walk past a whole batch each, and it collapsed under load.
   */
  private order: Unacked[] = [];
  private orderHead = 0;
  private generation = 0;
  private inFlight = 0;

  private constructor(client: MqttClient, private readonly opts: BusOptions) {
    this.client = client;
    this.shared = (opts.protocolVersion ?? 5) === 5;
    this.holdAcks();
    client.on('close', () => {
      // Acks of the lost connection must not be sent on the next one: the broker redelivers those messages.
      this.generation++;
      this.acks = [];
      this.order = [];
      this.orderHead = 0;
    });
    client.on('error', (err) => opts.log?.warn({ err: err.message }, 'mqtt error'));
    client.on('connect', (connack) => {
      // Mosquitto 2.0 restores a persistent session after its own restart without the session's shared
      // subscriptions, yet answers sessionPresent, so mqtt.js does not resubscribe: subscribe again (idempotent).
      // (`resubscribe: true` makes mqtt.js send a SUBSCRIBE it would otherwise skip as already done.)
      const shared = this.subs.filter((s) => s.filter.startsWith('$share/'));
      if (connack.sessionPresent && shared.length > 0) {
        for (const sub of new Map(shared.map((x) => [x.filter, x])).values()) {
          const request = { [sub.filter]: { qos: 1 as const }, resubscribe: true };
          client
            .subscribeAsync(request as unknown as Record<string, { qos: 1 }>, { qos: 1, properties: { subscriptionIdentifier: sub.id } } as never)
            .catch((err) => opts.log?.warn({ err: String(err) }, 'resubscribe failed'));
        }
      }
    });
  }

  static async connect(opts: BusOptions): Promise<Bus> {
    const options: IClientOptions = {
      clientId: opts.clientId,
      clean: opts.clean ?? false,
      protocolVersion: opts.protocolVersion ?? 5,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: true,
      // mqtt.js logs every packet through `debug`, whose enabled check alone costs ~1 % of door intake: quiet
      // unless DEBUG asks for it.
      ...(process.env.DEBUG ? {} : { log: () => {} }),
      // A clean session must not outlive the connection: a leftover session in a shared-subscription group
      // would keep taking its turn at the group's messages.
      ...(opts.protocolVersion === 4 ? {} : { properties: { sessionExpiryInterval: opts.clean ? 0 : 86_400, receiveMaximum: 65_535 } }),
    };
    // The acknowledgement hook must be in place before CONNACK: a resumed session delivers its unacknowledged
    // messages at once, and mqtt.js's default handler would acknowledge them before anyone stored them.
    const client = mqtt.connect(opts.url, { ...options, manualConnect: true });
    const bus = new Bus(client, opts);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`MQTT connect to ${opts.url} timed out`)), options.connectTimeout);
      const fail = (err: Error) => {
        clearTimeout(timer);
        client.removeListener('connect', ok);
        client.end(true);
        reject(err);
      };
      const ok = () => {
        clearTimeout(timer);
        client.removeListener('error', fail);
        resolve();
      };
      client.once('connect', ok);
      client.once('error', fail);
      client.connect();
    });
    return bus;
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Messages handed to handlers and not yet acknowledged. */
  get pending(): number {
    return this.inFlight;
  }

  async publish<N extends TopicName>(name: N, params: ParamsOf<N>, payload: PayloadOf<N>): Promise<void> {
    await this.client.publishAsync(topicFor(name, params), JSON.stringify(payload), { qos: 1 });
  }

  /** Subscribes to a product topic; the payload is validated against the topic's schema. */
  async subscribe<N extends TopicName>(name: N, handler: (payload: PayloadOf<N>, topic: string) => Promise<void>, group?: string): Promise<void> {
    const check = validator(topics[name].schema);
    await this.subscribeRaw(filterFor(name), async (topic, buf) => {
      let payload: PayloadOf<N>;
      try {
        payload = check(JSON.parse(buf.toString('utf8'))) as PayloadOf<N>;
      } catch (err) {
        // Our own topics carry our own payloads: a bad one is a bug, logged and dropped rather than redelivered forever.
        this.opts.log?.error({ topic, err: String(err) }, 'invalid payload on internal topic');
        return;
      }
      await handler(payload, topic);
    }, group);
  }

  /**
   * Subscribes to a filter. With `group` and an MQTT 5 broker this is a shared subscription
   * (`$share/<group>/<filter>`), so several workers split the messages; aedes accepts such a filter but
   * delivers nothing on it, so with the embedded broker the subscription is plain.
   */
  async subscribeRaw(filter: string, handler: RawHandler, group?: string): Promise<void> {
    const full = group && this.shared ? `$share/${group}/${filter}` : filter;
    // The same filter twice on one connection is one subscription on the broker: share its identifier.
    const existing = this.subs.find((x) => x.filter === full);
    const id = existing?.id ?? this.subs.length + 1;
    this.subs.push({ filter: full, handler, id });
    for (const o of this.orphans.filter((x) => topicMatches(full, x.topic))) {
      this.orphans.splice(this.orphans.indexOf(o), 1);
      handler(o.topic, o.payload, o.dup).then(o.resolve, o.reject);
    }
    if (existing) return;
    await this.client.subscribeAsync(full, this.shared ? { qos: 1, properties: { subscriptionIdentifier: id } } : { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }

  private holdAcks(): void {
    type SendPacket = (packet: any, cb?: () => void, ...rest: unknown[]) => void;
    const client = this.client;
    const internals = client as unknown as { _sendPacket: SendPacket };
    const send: SendPacket = internals._sendPacket.bind(client);
    // mqtt.js sends the PUBACK when handleMessage calls back, and handles the next packet only after that.
    // To batch, handleMessage calls back at once and mqtt.js's PUBACK is dropped here: every message comes through
    // handleMessage, and ack() writes its PUBACK once the handler resolves. (Each message has its own entry in the
    // order, so an id Mosquitto reuses past the Receive Maximum while still unacknowledged is acked once per copy.)
    internals._sendPacket = (packet, cb, ...rest) => {
      if (packet?.cmd === 'puback') {
        cb?.();
        return;
      }
      send(packet, cb, ...rest);
    };
    client.handleMessage = (packet: IPublishPacket, callback) => {
      const id = packet.messageId;
      const gen = this.generation;
      let entry: Unacked | undefined;
      if (packet.qos === 1 && id !== undefined) {
        entry = { id, state: 'pending' };
        this.order.push(entry);
      }
      this.inFlight++;
      this.dispatch(packet, entry)
        .then(() => {
          if (!entry || gen !== this.generation) return;
          if (entry.detached) this.ack(entry.id);
          else this.settle(entry, 'ack');
        })
        .catch((err) => {
          // Not acknowledged: the broker delivers it again after the next reconnect; later ones are acked.
          if (entry && gen === this.generation && !entry.detached) this.settle(entry, 'skip');
          this.opts.log?.warn({ topic: packet.topic, err: String(err) }, 'handler failed; message left unacknowledged');
        })
        .finally(() => this.inFlight--);
      callback();
    };
  }

  /** Marks a message handled; every handled message at the front of the order is acknowledged. */
  private settle(entry: Unacked, state: 'ack' | 'skip'): void {
    entry.state = state;
    this.drain();
  }

  private drain(): void {
    const order = this.order;
    let head = this.orderHead;
    while (head < order.length && (order[head].state !== 'pending' || order[head].detached)) {
      if (order[head].state === 'ack') this.ack(order[head].id);
      head++;
    }
    // Drop the settled front now and then rather than shifting the array on every message.
    if (head > 4096 && head * 2 > order.length) {
      this.order = order.slice(head);
      head = 0;
    }
    this.orderHead = head;
  }

  private ack(id: number): void {
    this.acks.push(id);
    if (this.acksScheduled) return;
    this.acksScheduled = true;
    setImmediate(() => {
      this.acksScheduled = false;
      const ids = this.acks;
      this.acks = [];
      if (ids.length === 0 || !this.client.connected) return;
      // PUBACK with success is four bytes in MQTT 3.1.1 and 5 alike (5 may omit the reason code and properties);
      // one socket write for all of them instead of one packet write each through mqtt.js.
      const buf = Buffer.allocUnsafe(ids.length * 4);
      for (let i = 0; i < ids.length; i++) {
        buf[i * 4] = 0x40;
        buf[i * 4 + 1] = 2;
        buf.writeUInt16BE(ids[i], i * 4 + 2);
      }
      this.client.stream.write(buf);
    });
  }

  private async dispatch(packet: IPublishPacket, entry?: Unacked): Promise<void> {
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    // On MQTT 5 a message is routed by the subscription identifiers it carries: a connection holding a shared and a
    // plain subscription that both match receives one copy per subscription, and each copy is for its own handlers.
    const tagged = packet.properties?.subscriptionIdentifier;
    const ids = tagged === undefined ? undefined : Array.isArray(tagged) ? tagged : [tagged];
    // The usual case, one identifier of one subscription, without allocating (this runs for every message).
    if (ids?.length === 1) {
      let only: Subscription | undefined;
      let count = 0;
      for (const s of this.subs) {
        if (s.id !== ids[0]) continue;
        only = s;
        count++;
      }
      if (count === 1) return only!.handler(packet.topic, payload, packet.dup);
    }
    let matching = ids ? this.subs.filter((s) => ids.includes(s.id)) : [];
    if (matching.length === 0) matching = this.subs.filter((s) => topicMatches(s.filter, packet.topic));
    if (matching.length === 0) {
      // A persistent session hands over unacknowledged messages as soon as we connect, before the services have
      // subscribed again: hold them (unacknowledged) for the first handler whose filter matches.
      // Out of the ack order, so it does not hold back the acknowledgement of everything after it.
      if (entry) {
        entry.detached = true;
        this.drain();
      }
      await new Promise<void>((resolve, reject) => this.orphans.push({ topic: packet.topic, payload, dup: packet.dup, resolve, reject }));
      return;
    }
    await Promise.all(matching.map((s) => s.handler(packet.topic, payload, packet.dup)));
  }
}
