// What every service (ingest, analytics, gateway, simulator) gets and gives, so the all-in-one start and each
// service's own main.ts wire them the same way.
import type { Config } from './config/index.ts';
import type { Db } from './db/db.ts';
import type { MessageBus } from './bus/message-bus.ts';
import type { EmbeddedBroker } from './bus/embedded-broker.ts';
import type { Logger } from './log.ts';
import type { Clock } from './clock.ts';

export interface BrokerInfo {
  kind: 'embedded' | 'mosquitto' | 'external';
  url: string;
  /** The embedded broker only: take clients' publishes before they are acknowledged (see EmbeddedBroker). */
  intercept?: EmbeddedBroker['intercept'];
}

/** Components report their health here; the gateway's /api/v1/health shows all of it. */
export class HealthRegistry {
  private readonly parts = new Map<string, () => Record<string, unknown>>();
  register(name: string, fn: () => Record<string, unknown>): void {
    this.parts.set(name, fn);
  }
  snapshot(): Record<string, Record<string, unknown>> {
    return Object.fromEntries([...this.parts].map(([k, fn]) => [k, fn()]));
  }
  /** True when some component says `degraded: true`. */
  degraded(): boolean {
    return [...this.parts.values()].some((fn) => fn().degraded === true);
  }
}

export interface ServiceContext {
  config: Config;
  db: Db;
  bus: MessageBus;
  broker: BrokerInfo;
  log: Logger;
  clock: Clock;
  health: HealthRegistry;
}

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** Called once every service has started: background work that must not delay the start goes here. */
  afterStart?(): void;
  stop(): Promise<void>;
}
