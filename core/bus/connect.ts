// Opens the bus the URL names: `nats://` (comma-separated servers allowed) is NATS JetStream, anything else MQTT.
import { Bus, type BusOptions } from './bus.ts';
import { JetStreamBus } from './jetstream-bus.ts';
import type { MessageBus } from './message-bus.ts';

export function isJetStreamUrl(url: string): boolean {
  return url.trim().startsWith('nats://');
}

export function connectBus(opts: BusOptions): Promise<MessageBus> {
  if (isJetStreamUrl(opts.url)) return JetStreamBus.connect({ url: opts.url, clientId: opts.clientId, clean: opts.clean, log: opts.log });
  return Bus.connect(opts);
}
