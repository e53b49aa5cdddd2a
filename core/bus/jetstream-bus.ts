// The message bus on NATS JetStream (a `nats://` bus URL, comma-separated servers of one cluster): durable streams on
// disk replicated to min(3, cluster size) nodes, one durable consumer per group shared by its members, and a message
// acknowledged only after its handler has resolved (a failed handler's message is NAKed and redelivered with backoff).
//
// Topics map to subjects as NATS's own MQTT gateway maps them (`/` → `.`, `+` → `*`, `#` → `>`), so the product's topics
// and the door controllers' MQTT topics are the same names on both engines. The product's topics (`gridwatch/…`) live in
// the bus's own stream; any other topic is a device's, published over nats-server's MQTT listener and read from the
// stream the gateway keeps QoS 1 messages in, `$MQTT_msgs` (subjects `$MQTT.msgs.<subject>`).
import { createHash } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { filterFor, PREFIX, topicFor, type ParamsOf, type PayloadOf, type TopicName } from './topics.ts';
import type { Logger } from '../log.ts';
import { validatedHandler, type MessageBus, type RawHandler } from './message-bus.ts';

export interface JetStreamBusOptions {
  /** `nats://host:port`, or several separated by commas (the client fails over between them). */
  url: string;
  /** Names this process's own durable consumers (those without a group), as the MQTT client id names a session. */
  clientId: string;
  /** false (default) = consumers without a group are durable and keep messages while we are away (for a day). */
  clean?: boolean;
  /** The product's stream (default GRIDWATCH). */
  stream?: string;
  /** Put before every product subject, so several deployments (or tests) share one NATS: `<namespace>.gridwatch.…`. */
  namespace?: string;
  /** Stream replicas; default min(3, cluster size), found by asking for 3 and stepping down. */
  replicas?: number;
  /** Unacknowledged messages a consumer may have out at once, over all its members (default MAX_ACK_PENDING). */
  maxAckPending?: number;
  /** How long a message handed to a member that died stays with it before it is sent again (default 30 s). */
  ackWaitMs?: number;
  log?: Logger;
}

/** Messages a consumer may have handed out unacknowledged: as RECEIVE_MAXIMUM on MQTT, three of the writer's batches. */
export const MAX_ACK_PENDING = 20_000;
/** Stream NATS's MQTT gateway keeps QoS 1 messages in (nats-server 2.9: interest retention, see docs/ARCHITECTURE.md). */
export const MQTT_STREAM = '$MQTT_msgs';
const MQTT_SUBJECT_PREFIX = '$MQTT.msgs.';
const DEFAULT_STREAM = 'GRIDWATCH';
const NS_PER_MS = 1_000_000;
/** A message unacknowledged this long is sent again; a handler still busy (a batch waiting for the database) says so. */
const ACK_WAIT_MS = 30_000;
/** Work-in-progress signal for handlers running longer than this, so ack_wait never runs out under a busy one. */
const WORKING_EVERY_MS = 10_000;
/** A durable of one client (not a group) left unused this long is removed, as an MQTT session expires. */
const CLIENT_DURABLE_TTL_MS = 86_400_000;
/** An ephemeral consumer (clean) outlives a broken connection by this much. */
const EPHEMERAL_TTL_MS = 60_000;
/** A failed handler's message comes again after this backoff, doubling per delivery. */
const RETRY = { initialMs: 100, maxMs: 5000 };
/** Messages each pull asks for; the server stops at max_ack_pending anyway. */
const PULL_BATCH = 1000;
const PULL_EXPIRES_MS = 5000;
/** How long starting waits for a cluster that cannot answer yet (a node restarting, a leader election). */
const UNAVAILABLE_MS = 60_000;

/**
 * An MQTT topic or filter as a NATS subject, as nats-server's MQTT gateway maps it: levels become tokens, `+` → `*`,
 * `#` → `>`, and a `.` inside a level (ids may hold one) → `//` (as nats-server ≥ 2.10 does; 2.9's MQTT listener
 * refuses such topics from devices, see docs/ARCHITECTURE.md).
 */
export function subjectOf(topic: string): string {
  const levels = topic.split('/');
  if (levels.some((l) => l === '' || /[\s*>]/.test(l)))
    throw new Error(`MQTT topic ${topic} has no NATS subject (empty level, space, '*' or '>')`);
  return levels.map((l) => (l === '+' ? '*' : l === '#' ? '>' : l.replace(/\./g, '//'))).join('.');
}

/** The MQTT topic of a NATS subject. */
export function topicOf(subject: string): string {
  return subject
    .split('.')
    .map((t) => t.replace(/\/\//g, '.'))
    .join('/');
}

/** A consumer name from a group or client id and a filter: only [A-Za-z0-9_-], readable, unique by a short hash. */
function consumerName(owner: string, filter: string): string {
  const clean = (s: string) =>
    s
      .replace(/\+/g, 'any')
      .replace(/#/g, 'all')
      .replace(/[^A-Za-z0-9_-]/g, '_');
  const hash = createHash('sha256').update(`${owner}\0${filter}`).digest('hex').slice(0, 8);
  return `${clean(owner)}__${clean(filter)}__${hash}`.slice(-128);
}

interface Subscription {
  stream: string;
  /** Subject prefix of the stream that is not part of the topic (namespace, `$MQTT.msgs.`). */
  strip: string;
  config: Partial<ConsumerConfig>;
  durable: boolean;
  handlers: RawHandler[];
  messages?: ConsumerMessages;
  stopped: boolean;
}

export class JetStreamBus implements MessageBus {
  readonly kind = 'jetstream' as const;
  readonly shared = true;
  retries = 0;
  private isConnected = true;
  private closing = false;
  private readonly subs = new Map<string, Subscription>();
  private readonly inFlight = new Set<{ m: JsMsg; since: number }>();
  private readonly streamsReady = new Map<string, Promise<void>>();
  private readonly workingTimer: NodeJS.Timeout;
  private readonly loops: Promise<void>[] = [];

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: JetStreamBusOptions,
  ) {
    this.workingTimer = setInterval(() => this.signalWorking(), this.workingEvery());
    this.workingTimer.unref();
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') this.isConnected = false;
        else if (s.type === 'reconnect') this.isConnected = true;
        if (s.type === 'disconnect' || s.type === 'reconnect') opts.log?.warn({ status: s.type }, 'nats connection');
      }
    })();
  }

  static async connect(opts: JetStreamBusOptions): Promise<JetStreamBus> {
    const servers = opts.url
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const nc = await connect({
      servers,
      name: opts.clientId,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      timeout: 10_000,
    });
    const jsm = await jetstreamManager(nc, { timeout: 10_000 });
    // The product's stream is made on the first publish or subscription (a process that does neither makes none).
    return new JetStreamBus(nc, jetstream(nc, { timeout: 10_000 }), jsm, opts);
  }

  get connected(): boolean {
    return this.isConnected && !this.nc.isClosed();
  }

  get pending(): number {
    return this.inFlight.size;
  }

  /** The product's stream: every product subject, kept until each consumer has acknowledged it (or for a day). */
  private ownStream(): Partial<StreamConfig> & { name: string } {
    return {
      name: this.opts.stream ?? DEFAULT_STREAM,
      subjects: [`${this.nsPrefix()}${PREFIX}.>`],
      retention: RetentionPolicy.Interest,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 86_400_000 * NS_PER_MS,
    };
  }

  private nsPrefix(): string {
    return this.opts.namespace ? `${this.opts.namespace}.` : '';
  }

  /**
   * Creates a stream unless it exists, with min(3, cluster size) replicas (a single server refuses more than one,
   * a small cluster has too few peers). Idempotent: several processes start at once.
   */
  private ensureStream(cfg: Partial<StreamConfig> & { name: string }): Promise<void> {
    let ready = this.streamsReady.get(cfg.name);
    if (!ready) {
      ready = this.whileUnavailable(`stream ${cfg.name}`, async () => {
        try {
          await this.jsm.streams.info(cfg.name);
          return;
        } catch (err) {
          if (!/not found/i.test(String(err))) throw err;
        }
        const tries = this.opts.replicas ? [this.opts.replicas] : [3, 2, 1];
        for (let i = 0; i < tries.length; i++) {
          try {
            await this.jsm.streams.add({ ...cfg, num_replicas: tries[i] });
            this.opts.log?.info({ stream: cfg.name, replicas: tries[i] }, 'jetstream stream created');
            return;
          } catch (err) {
            const msg = String(err);
            if (/already in use/i.test(msg)) return;
            if (i < tries.length - 1 && /non-clustered|insufficient resources|no suitable peers/i.test(msg)) continue;
            throw err;
          }
        }
      });
      ready.catch(() => this.streamsReady.delete(cfg.name));
      this.streamsReady.set(cfg.name, ready);
    }
    return ready;
  }

  async publish<N extends TopicName>(name: N, params: ParamsOf<N>, payload: PayloadOf<N>): Promise<void> {
    // Resolves on the stream's acknowledgement: stored (and replicated) before the caller goes on. While the stream
    // has no leader (a node died: its election takes seconds) the publish is sent again, as an MQTT client resends,
    // rather than failing: a caller that already committed (analytics' outage alert) has no other moment to publish.
    await this.ensureStream(this.ownStream());
    const subject = this.nsPrefix() + subjectOf(topicFor(name, params));
    const body = JSON.stringify(payload);
    // Logged at debug: during an election every publish of a busy process would say it once.
    await this.whileUnavailable(`publish on ${subject}`, () => this.js.publish(subject, body), 'debug');
  }

  async subscribe<N extends TopicName>(
    name: N,
    handler: (payload: PayloadOf<N>, topic: string) => Promise<void>,
    group?: string,
  ): Promise<void> {
    await this.subscribeRaw(filterFor(name), validatedHandler(name, handler, this.opts.log), group);
  }

  /**
   * A group is one durable consumer, shared by every member that names it (each pulls, the server hands each message
   * to one). Without a group, a durable consumer of this client id (an ephemeral one with `clean`): every message.
   * The consumer is created before this resolves, so what is published afterwards is kept for it.
   */
  async subscribeRaw(filter: string, handler: RawHandler, group?: string): Promise<void> {
    const own = filter.startsWith(`${PREFIX}/`);
    const stream = own ? this.ownStream() : mqttStream();
    const strip = own ? this.nsPrefix() : MQTT_SUBJECT_PREFIX;
    const durable = group !== undefined || !this.opts.clean;
    const name = durable ? consumerName(group ?? this.opts.clientId, filter) : undefined;
    const key = `${stream.name}/${name ?? `~${filter}`}`;
    const existing = this.subs.get(key);
    if (existing) {
      existing.handlers.push(handler);
      return;
    }
    const config: Partial<ConsumerConfig> = {
      ...(name ? { durable_name: name } : {}),
      filter_subject: strip + subjectOf(filter),
      ack_policy: AckPolicy.Explicit,
      // A new consumer starts at now, as a new MQTT subscription does; an existing durable resumes where it was.
      deliver_policy: DeliverPolicy.New,
      ack_wait: (this.opts.ackWaitMs ?? ACK_WAIT_MS) * NS_PER_MS,
      max_deliver: -1,
      max_ack_pending: this.opts.maxAckPending ?? MAX_ACK_PENDING,
      // A group's consumer is named in the deployment and never expires; a client's ends as its MQTT session would.
      ...(group !== undefined ? {} : { inactive_threshold: (durable ? CLIENT_DURABLE_TTL_MS : EPHEMERAL_TTL_MS) * NS_PER_MS }),
    };
    const sub: Subscription = { stream: stream.name, strip, config, durable, handlers: [handler], stopped: false };
    this.subs.set(key, sub);
    await this.ensureStream(stream);
    const consumer = await this.ensureConsumer(sub);
    this.loops.push(this.run(sub, consumer));
  }

  async leave(filter: string, group: string): Promise<void> {
    // The group's consumer stays for the other members (and this one's return); this member only stops pulling.
    const own = filter.startsWith(`${PREFIX}/`);
    const key = `${own ? this.ownStream().name : MQTT_STREAM}/${consumerName(group, filter)}`;
    const sub = this.subs.get(key);
    if (!sub) return;
    sub.stopped = true;
    this.subs.delete(key);
    await sub.messages?.close();
  }

  /**
   * Runs a stream or consumer request, or a publish, again while the cluster cannot answer it (a node just restarted,
   * a leader being elected: "JetStream system temporarily unavailable", no responders, timeouts), for up to
   * UNAVAILABLE_MS; other errors at once.
   */
  private async whileUnavailable<T>(what: string, fn: () => Promise<T>, level: 'warn' | 'debug' = 'warn'): Promise<T> {
    const until = Date.now() + UNAVAILABLE_MS;
    let delay = 250;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        // "jetstream is not enabled" is how the client words "no responders" to a request (a stream without a leader).
        if (
          this.closing ||
          Date.now() > until ||
          !/temporarily unavailable|timeout|timed out|no responders|503|jetstream is not enabled/i.test(String(err))
        )
          throw err;
        if (attempt === 1) this.opts.log?.[level]({ what, err: String(err) }, 'jetstream not ready; trying again');
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
  }

  /** Creates the consumer (idempotent: the members of a group race for it) and returns its name. */
  private ensureConsumer(sub: Subscription): Promise<string> {
    return this.whileUnavailable(`consumer of ${sub.config.filter_subject}`, () => this.makeConsumer(sub));
  }

  private async makeConsumer(sub: Subscription): Promise<string> {
    const name = sub.config.durable_name;
    if (name) {
      try {
        const info = await this.jsm.consumers.info(sub.stream, name);
        if (info.config.filter_subject !== sub.config.filter_subject)
          this.opts.log?.warn({ consumer: name, has: info.config.filter_subject }, 'durable consumer has another filter; kept as it is');
        return name;
      } catch (err) {
        if (!/not found/i.test(String(err))) throw err;
      }
    }
    try {
      const info = await this.jsm.consumers.add(sub.stream, sub.config);
      this.opts.log?.info({ stream: sub.stream, consumer: info.name, filter: sub.config.filter_subject }, 'jetstream consumer ready');
      return info.name;
    } catch (err) {
      // Another member created it meanwhile.
      if (name && /already (exists|in use)/i.test(String(err))) return name;
      throw err;
    }
  }

  /** Pulls and hands over until the bus closes; a consumer lost (its node gone, expired) is found or made again. */
  private async run(sub: Subscription, name: string): Promise<void> {
    let consumerName = name;
    while (!this.closing && !sub.stopped) {
      try {
        const consumer = await this.js.consumers.get(sub.stream, consumerName);
        // Pulls expire after 5 s with a heartbeat every 2.5 s (the client's default is 30 s): a pull lost with a
        // consumer leader that died is noticed and made again within seconds, not after half a minute.
        sub.messages = await consumer.consume({
          max_messages: PULL_BATCH,
          expires: PULL_EXPIRES_MS,
          callback: (m) => this.onMessage(sub, m),
        });
        const err = await sub.messages.closed();
        if (err && !this.closing && !sub.stopped) this.opts.log?.warn({ consumer: consumerName, err: String(err) }, 'consumer stopped');
      } catch (err) {
        if (this.closing || sub.stopped) break;
        this.opts.log?.warn({ consumer: consumerName, err: String(err) }, 'consumer unavailable; trying again');
      }
      if (this.closing || sub.stopped) break;
      await new Promise((r) => setTimeout(r, 1000));
      // An ephemeral consumer that timed out is made anew (under a new name); a durable one is only made if it is gone.
      const alive = await this.jsm.consumers.info(sub.stream, consumerName).then(
        () => true,
        () => false,
      );
      if (!alive) consumerName = await this.ensureConsumer(sub).catch(() => consumerName);
    }
  }

  private onMessage(sub: Subscription, m: JsMsg): void {
    const entry = { m, since: Date.now() };
    this.inFlight.add(entry);
    const topic = topicOf(m.subject.startsWith(sub.strip) ? m.subject.slice(sub.strip.length) : m.subject);
    const payload = Buffer.from(m.data);
    const redelivered = m.redelivered;
    const run =
      sub.handlers.length === 1
        ? sub.handlers[0](topic, payload, redelivered)
        : Promise.all(sub.handlers.map((h) => h(topic, payload, redelivered)));
    run
      .then(
        () => settle(() => m.ack()),
        (err) => {
          // Not passed over: sent again after the backoff (to whichever member pulls it), the others go on meanwhile.
          const delay = Math.min(RETRY.initialMs * 2 ** Math.min(m.info.deliveryCount - 1, 10), RETRY.maxMs);
          if (!this.closing) {
            this.retries++;
            if (m.info.deliveryCount === 1 || m.info.deliveryCount % 10 === 0)
              this.opts.log?.warn({ topic, attempt: m.info.deliveryCount, err: String(err) }, 'handler failed; redelivered after backoff');
          }
          settle(() => m.nak(this.closing ? 0 : delay));
        },
      )
      .finally(() => this.inFlight.delete(entry));
  }

  /** Well inside ack_wait, so a busy handler's message is never sent again under it. */
  private workingEvery(): number {
    return Math.min(WORKING_EVERY_MS, (this.opts.ackWaitMs ?? ACK_WAIT_MS) / 3);
  }

  private signalWorking(): void {
    const before = Date.now() - this.workingEvery();
    for (const e of this.inFlight) if (e.since < before) settle(() => e.m.working());
  }

  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.workingTimer);
    for (const sub of this.subs.values()) {
      sub.stopped = true;
      await sub.messages?.close().catch(() => {});
    }
    await Promise.allSettled(this.loops);
    // Handlers that have just finished settle in this turn; drain then sends their acknowledgements before closing.
    // What is still running is handed back at once (to another member) rather than after ack_wait.
    await new Promise((r) => setImmediate(r));
    for (const e of this.inFlight) settle(() => e.m.nak());
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/**
 * Sends an ack, NAK or working signal. On a closed connection the client throws: the message is then unacknowledged
 * and JetStream sends it again after ack_wait, which is all that can be done for it.
 */
function settle(send: () => void): void {
  try {
    send();
  } catch {
    /* connection closed: redelivered after ack_wait */
  }
}

/** NATS's MQTT gateway's stream, made as the gateway makes it (so it can exist before the first device connects). */
function mqttStream(): Partial<StreamConfig> & { name: string } {
  return {
    name: MQTT_STREAM,
    subjects: [`${MQTT_SUBJECT_PREFIX}>`],
    retention: RetentionPolicy.Interest,
    storage: StorageType.File,
  };
}
