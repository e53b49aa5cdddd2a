// The message bus over MQTT: QoS 1, persistent sessions, JSON payloads, typed topics, and acknowledgement
// only after the handler has finished (so a message is never acked before its row is committed).
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from 'mqtt';
import { filterFor, topicFor, type ParamsOf, type PayloadOf, type TopicName } from './topics.ts';
import { topicMatches } from './topic-match.ts';
import type { Logger } from '../log.ts';
import { validatedHandler, type MessageBus, type RawHandler } from './message-bus.ts';

// `redelivered` is the broker's DUP flag, set when it sends a message again that it sent this session before.
export type { RawHandler } from './message-bus.ts';

export interface BusOptions {
  url: string;
  clientId: string;
  /** MQTT 5 unless the broker is the embedded aedes (3.1.1 only). */
  protocolVersion?: 4 | 5;
  /** false = persistent session: the broker keeps QoS 1 messages while we are away. */
  clean?: boolean;
  /** MQTT 5 Receive Maximum: QoS 1 messages the broker may have in flight to us (default RECEIVE_MAXIMUM). */
  receiveMaximum?: number;
  /** How long a publish waits for a topic's subscribers to come back (default RESUBSCRIBE_GRACE_MS). */
  resubscribeGraceMs?: number;
  log?: Logger;
}

/**
 * QoS 1 messages the broker may send before our acknowledgements. Packet ids are 16-bit and Mosquitto numbers a
 * message when it queues it, so what is in flight must stay well inside 65,535 ids: at 65,535 an id comes round again
 * while its first holder is unacknowledged, and Mosquitto takes our PUBACK for the newer copy as the older one's
 * (it searches its in-flight list from the oldest). 20,000 is 2.5 s of the 8,000/s intake and over three of the
 * writer's 5,000-row batches; beyond it the broker queues (and persists) rather than hands over.
 */
export const RECEIVE_MAXIMUM = 20_000;

/** A failed handler is run again after this backoff (doubling); its message holds back every later acknowledgement. */
const RETRY = { initialMs: 100, maxMs: 5000 };

/** MQTT 5 PUBACK reason 0x10: the broker took the message and had no subscriber to give it to. */
const NO_MATCHING_SUBSCRIBERS = 16;
/**
 * How long a publish keeps sending again while a topic that had subscribers has none: Mosquitto 2.0 restores
 * sessions after its restart without their shared subscriptions, and the workers take about their reconnect period
 * (1 s) to subscribe again. Longer than that, the consumers are gone, not re-subscribing.
 */
export const RESUBSCRIBE_GRACE_MS = 10_000;

/** A QoS 1 message awaiting its PUBACK, in the order the broker sent it. */
interface Unacked {
  id: number;
  state: 'pending' | 'ack';
  /** Held for a late subscriber: acknowledged whenever it is handled, outside the order. */
  detached?: boolean;
}

interface Subscription {
  filter: string;
  handler: RawHandler;
  /** MQTT 5 subscription identifier: the broker tags each message with the subscriptions it was sent for. */
  id: number;
}

export class Bus implements MessageBus {
  readonly kind = 'mqtt' as const;
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
  private closing = false;
  /** Handler failures retried so far (health, tests). */
  retries = 0;
  /** Publishes sent again because their topic's subscribers were away, and given up after the grace (health, tests). */
  readonly republished = { sent: 0, dropped: 0 };
  /** Packet ids of our publishes the broker answered "no matching subscribers" (read when the publish resolves). */
  private readonly unheard = new Set<number>();
  /** Per topic name: 0 when its last publish reached a subscriber, else since when none has. Absent: never reached. */
  private readonly reached = new Map<TopicName, number>();

  private constructor(
    client: MqttClient,
    private readonly opts: BusOptions,
  ) {
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
    // mqtt.js resolves a publish with its own packet, not the PUBACK: note the reason code when the PUBACK arrives.
    client.on('packetreceive', (packet) => {
      if (packet.cmd === 'puback' && packet.reasonCode === NO_MATCHING_SUBSCRIBERS && packet.messageId !== undefined)
        this.unheard.add(packet.messageId);
    });
    client.on('connect', (connack) => {
      // Mosquitto 2.0 restores a persistent session after its own restart without the session's shared
      // subscriptions, yet answers sessionPresent, so mqtt.js does not resubscribe: subscribe again (idempotent).
      // (`resubscribe: true` makes mqtt.js send a SUBSCRIBE it would otherwise skip as already done.)
      const shared = this.subs.filter((s) => s.filter.startsWith('$share/'));
      if (connack.sessionPresent && shared.length > 0) {
        for (const sub of new Map(shared.map((x) => [x.filter, x])).values()) {
          const request = { [sub.filter]: { qos: 1 as const }, resubscribe: true };
          client
            .subscribeAsync(
              request as unknown as Record<string, { qos: 1 }>,
              { qos: 1, properties: { subscriptionIdentifier: sub.id } } as never,
            )
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
      // Receive Maximum bounds what the broker has in flight to us (see RECEIVE_MAXIMUM); over MQTT 3.1.1 (aedes)
      // the broker's own limit applies (Mosquitto's max_inflight_messages in deploy/mosquitto.conf).
      ...(opts.protocolVersion === 4
        ? {}
        : { properties: { sessionExpiryInterval: opts.clean ? 0 : 86_400, receiveMaximum: opts.receiveMaximum ?? RECEIVE_MAXIMUM } }),
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

  /**
   * Publishes at QoS 1. On MQTT 5, a topic that has had subscribers and answers "no matching subscribers" is in a
   * re-subscription gap (a broker restart forgot its shared subscriptions): the message is sent again with backoff
   * until a subscriber takes it, for up to RESUBSCRIBE_GRACE_MS; after that the subscribers count as gone.
   */
  async publish<N extends TopicName>(name: N, params: ParamsOf<N>, payload: PayloadOf<N>): Promise<void> {
    const topic = topicFor(name, params);
    const body = JSON.stringify(payload);
    for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
      const sent = await this.client.publishAsync(topic, body, { qos: 1 });
      const unheard = sent?.messageId !== undefined && this.unheard.delete(sent.messageId);
      if (!unheard) {
        this.reached.set(name, 0);
        return;
      }
      const since = this.reached.get(name);
      if (since === undefined || this.closing) return;
      const now = Date.now();
      if (since === 0) this.reached.set(name, now);
      else if (now - since > (this.opts.resubscribeGraceMs ?? RESUBSCRIBE_GRACE_MS)) {
        this.reached.delete(name);
        this.republished.dropped++;
        this.opts.log?.warn({ topic: name }, 'no subscriber came back for a topic that had some: publishing without waiting');
        return;
      }
      this.republished.sent++;
      await new Promise((r) => setTimeout(r, delay));
    }
  }

  /** Subscribes to a product topic; the payload is validated against the topic's schema. */
  async subscribe<N extends TopicName>(
    name: N,
    handler: (payload: PayloadOf<N>, topic: string) => Promise<void>,
    group?: string,
  ): Promise<void> {
    await this.subscribeRaw(filterFor(name), validatedHandler(name, handler, this.opts.log), group);
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

  async leave(filter: string, group: string): Promise<void> {
    // A persistent session still subscribed keeps being handed a share of the group while its client is away.
    if (!this.shared || !this.client.connected) return;
    await this.client.unsubscribeAsync(`$share/${group}/${filter}`);
  }

  async close(): Promise<void> {
    // Handlers still retrying give up: their messages stay unacknowledged in the session and come again.
    this.closing = true;
    // Handlers that have just finished settle in this turn; their acks, still waiting for a setImmediate, would
    // otherwise go after the DISCONNECT (or not at all) and the broker would hand those messages over again.
    await new Promise((r) => setImmediate(r));
    this.flushAcks();
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
      this.handle(packet, entry, gen).finally(() => this.inFlight--);
      callback();
    };
  }

  /**
   * Runs the handlers until they succeed, then acknowledges. A message is never passed over: a failed one (the
   * database away) is run again with backoff and holds back the acknowledgement of everything after it, so the
   * broker's in-flight window fills and it stops sending (back-pressure) instead of the message waiting, unacknowledged
   * and forgotten, for a reconnect that may never come while its packet id comes round again. Only when its
   * connection is gone (the broker sends it again on the next one) or the bus closes does it stop trying.
   */
  private async handle(packet: IPublishPacket, entry: Unacked | undefined, gen: number): Promise<void> {
    let delay = RETRY.initialMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.dispatch(packet, entry);
        break;
      } catch (err) {
        if (gen !== this.generation || this.closing) {
          this.opts.log?.warn(
            { topic: packet.topic, err: String(err) },
            'handler failed; message left unacknowledged for the broker to send again',
          );
          return;
        }
        this.retries++;
        if (attempt === 1 || attempt % 10 === 0)
          this.opts.log?.warn({ topic: packet.topic, attempt, err: String(err) }, 'handler failed; retrying (later acknowledgements wait)');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, RETRY.maxMs);
      }
    }
    if (!entry || gen !== this.generation) return;
    if (entry.detached) this.ack(entry.id);
    else this.settle(entry);
  }

  /** Marks a message handled; every handled message at the front of the order is acknowledged. */
  private settle(entry: Unacked): void {
    entry.state = 'ack';
    this.drain();
  }

  private drain(): void {
    const order = this.order;
    let head = this.orderHead;
    while (head < order.length && (order[head].state !== 'pending' || order[head].detached)) {
      if (order[head].state === 'ack' && !order[head].detached) this.ack(order[head].id);
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
    setImmediate(() => this.flushAcks());
  }

  private flushAcks(): void {
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
