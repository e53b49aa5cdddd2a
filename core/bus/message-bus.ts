// What services see of the bus, whichever engine carries it: MQTT (Mosquitto, or the embedded aedes) or NATS JetStream.
import { validator } from '../events/validate.ts';
import type { Logger } from '../log.ts';
import { topics, type ParamsOf, type PayloadOf, type TopicName } from './topics.ts';

/** `redelivered`: the engine says it has handed this message over before (MQTT DUP, JetStream redelivery). */
export type RawHandler = (topic: string, payload: Buffer, redelivered: boolean) => Promise<void>;

export interface MessageBus {
  /** Which engine: tells, e.g., whether a group is a durable consumer (JetStream) or an MQTT shared subscription. */
  readonly kind: 'mqtt' | 'jetstream';
  /** Groups split the messages between their members (false on the embedded aedes, which delivers nothing on `$share/`). */
  readonly shared: boolean;
  readonly connected: boolean;
  /** Messages handed to handlers and not yet acknowledged. */
  readonly pending: number;
  /** Handler failures retried so far (health, tests). */
  readonly retries: number;
  publish<N extends TopicName>(name: N, params: ParamsOf<N>, payload: PayloadOf<N>): Promise<void>;
  /** A product topic, its payload validated against the topic's schema; acknowledged once `handler` resolves. */
  subscribe<N extends TopicName>(name: N, handler: (payload: PayloadOf<N>, topic: string) => Promise<void>, group?: string): Promise<void>;
  /** An MQTT filter (`+`, `#`); with `group`, the members of the group split the messages. */
  subscribeRaw(filter: string, handler: RawHandler, group?: string): Promise<void>;
  /** Leaves a group's subscription, so this member is handed no more of the group's messages. */
  leave(filter: string, group: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The raw handler behind `subscribe` on every engine: the payload parsed and validated against the topic's schema.
 * Our own topics carry our own payloads: a bad one is a bug, logged and dropped (acknowledged) rather than redelivered
 * forever.
 */
export function validatedHandler<N extends TopicName>(
  name: N,
  handler: (payload: PayloadOf<N>, topic: string) => Promise<void>,
  log: Pick<Logger, 'error'> | undefined,
): RawHandler {
  const check = validator(topics[name].schema);
  return async (topic, buf) => {
    let payload: PayloadOf<N>;
    try {
      payload = check(JSON.parse(buf.toString('utf8'))) as PayloadOf<N>;
    } catch (err) {
      log?.error({ topic, err }, 'invalid payload on internal topic');
      return;
    }
    await handler(payload, topic);
  };
}
