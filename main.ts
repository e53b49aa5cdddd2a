// All-in-one start: embedded database and broker unless DATABASE_URL / MQTT_URL say otherwise, then every
// service in one process — the simulated city (SIMULATE), ingest, analytics and the gateway.
import { openRuntime } from './core/runtime.ts';
import { GatewayService } from './gateway/gateway.service.ts';

const started = Date.now();
const rt = await openRuntime({ name: 'all-in-one' });
const gateway = new GatewayService(rt);
await rt.run([gateway]);
rt.log.info(
  { backend: rt.db.backend, broker: rt.broker.kind, simulate: rt.config.simulate, ms: Date.now() - started },
  `Gridwatch is up — dashboard: ${gateway.url}/  API docs: ${gateway.url}/docs`,
);
