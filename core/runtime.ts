// Opens what every service needs — config, database, broker connection — and closes it again in order.
import { hostname } from 'node:os';
import { ConfigError, loadConfig, type Config } from './config/index.ts';
import { openDb } from './db/open.ts';
import { connectBus } from './bus/connect.ts';
import { startEmbeddedBroker, type EmbeddedBroker } from './bus/embedded-broker.ts';
import { DOOR_INTAKE_FILTER } from './bus/topics.ts';
import { createLogger, type Logger } from './log.ts';
import { systemClock } from './clock.ts';
import { HealthRegistry, type ServiceContext, type Service } from './service.ts';

/** Longest graceful stop after SIGINT/SIGTERM (services wait at most 10 s for work in flight). */
const SHUTDOWN_LIMIT_MS = 20_000;

export interface Runtime extends ServiceContext {
  embeddedBroker?: EmbeddedBroker;
  /** Starts services in order and stops them in reverse on SIGINT/SIGTERM or `shutdown()`. */
  run(services: Service[]): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * A process's start: opens the runtime, starts the services `build` gives, then `up`. A start that fails — a bad
 * setting, a port in use — logs one line (naming the setting for a ConfigError, with the stack otherwise), stops what
 * had started and exits 1.
 */
export async function startProcess(name: string, build: (rt: Runtime) => Service[], up?: (rt: Runtime) => void): Promise<Runtime> {
  let rt: Runtime | undefined;
  try {
    rt = await openRuntime({ name });
    await rt.run(build(rt));
    up?.(rt);
    return rt;
  } catch (err) {
    const log = rt?.log ?? createLogger(process.env.LOG_LEVEL || 'info', name);
    if (err instanceof ConfigError) log.fatal({ variable: err.variable }, `cannot start: ${err.message}`);
    else log.fatal({ err }, 'cannot start');
    setTimeout(() => process.exit(1), SHUTDOWN_LIMIT_MS).unref();
    await rt?.shutdown().catch(() => {});
    process.exit(1);
  }
}

export async function openRuntime(opts: { name: string; config?: Config; log?: Logger; clientId?: string }): Promise<Runtime> {
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger(config.logLevel, opts.name);
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  log.info({ backend: db.backend, version: db.version }, 'database ready');

  let embeddedBroker: EmbeddedBroker | undefined;
  let url = config.mqttUrl;
  if (!url) {
    // Door controllers may reconnect before the intake has started: their publishes wait for it (see holdFor).
    embeddedBroker = await startEmbeddedBroker({ port: config.mqttEmbeddedPort, holdFor: [DOOR_INTAKE_FILTER] }).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EADDRINUSE') throw err;
        const port = config.mqttEmbeddedPort;
        throw new ConfigError(
          'MQTT_EMBEDDED_PORT',
          'in use',
          `port ${port} for the embedded MQTT broker is already in use: set MQTT_EMBEDDED_PORT to a free port, or MQTT_URL to a broker`,
        );
      },
    );
    url = embeddedBroker.url;
    log.info({ url }, 'embedded MQTT broker (aedes) started');
  }
  const bus = await connectBus({
    url,
    // One stable id per service and host keeps its persistent session across restarts (a random one would leave
    // a session behind at every restart); MQTT_CLIENT_ID tells apart several copies on one host.
    clientId: opts.clientId ?? config.mqttClientId ?? `gridwatch-${opts.name}-${hostname()}`,
    protocolVersion: embeddedBroker ? 4 : 5,
    log,
  });
  const health = new HealthRegistry();
  const services: Service[] = [];
  let stopping: Promise<void> | undefined;

  const rt: Runtime = {
    config,
    db,
    bus,
    broker: embeddedBroker ? { kind: 'embedded', url, intercept: embeddedBroker.intercept } : { kind: 'external', url },
    log,
    clock: systemClock,
    health,
    embeddedBroker,
    async run(list) {
      for (const s of list) {
        await s.start();
        services.push(s);
        log.info({ service: s.name }, 'service started');
      }
      for (const s of list) s.afterStart?.();
      // A terminal's Ctrl-C reaches every process of the group (npm, tsx and us), often twice: stop once.
      const onSignal = (sig: string) => {
        if (stopping) return;
        log.info({ sig }, 'stopping');
        // A stop that cannot finish (a database that never answers) must not leave the process running.
        setTimeout(() => {
          log.error({ afterMs: SHUTDOWN_LIMIT_MS }, 'stop did not finish in time; exiting');
          process.exit(1);
        }, SHUTDOWN_LIMIT_MS).unref();
        void rt.shutdown().then(() => process.exit(0));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    },
    shutdown() {
      stopping ??= (async () => {
        for (const s of services.reverse()) {
          const t0 = Date.now();
          await s.stop().catch((err) => log.error({ service: s.name, err }, 'stop failed'));
          log.info({ service: s.name, ms: Date.now() - t0 }, 'service stopped');
        }
        await bus.close().catch(() => {});
        await embeddedBroker?.close().catch(() => {});
        await db.close().catch(() => {});
        log.info('stopped');
      })();
      return stopping;
    },
  };
  return rt;
}
