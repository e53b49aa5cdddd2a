// All-in-one start: embedded database and broker unless DATABASE_URL / MQTT_URL say otherwise, then every
// service in one process — storage upkeep, the simulated city (SIMULATE), ingest, analytics, faces, gateway.
import { startProcess } from './core/runtime.ts';
import type { Service } from './core/service.ts';
import { StorageMaintenance } from './core/db/maintenance.ts';
import { SimulatorService } from './fixtures/simulator.service.ts';
import { IngestService } from './ingest/ingest.service.ts';
import { AnalyticsService } from './analytics/analytics.service.ts';
import { FaceService } from './analytics/face/face.service.ts';
import { GatewayService } from './gateway/gateway.service.ts';

const started = Date.now();
let gateway: GatewayService;
await startProcess(
  'all-in-one',
  (rt) => {
    gateway = new GatewayService(rt);
    const services: Service[] = [new StorageMaintenance(rt)];
    // The city registry goes in before ingest starts, so discovered cameras find their placement.
    if (rt.config.simulate) services.push(new SimulatorService(rt));
    services.push(new IngestService(rt), new AnalyticsService(rt), new FaceService(rt), gateway);
    return services;
  },
  (rt) =>
    rt.log.info(
      { backend: rt.db.backend, broker: rt.broker.kind, simulate: rt.config.simulate, ms: Date.now() - started },
      `Gridwatch is up — dashboard: ${gateway.url}/  API docs: ${gateway.url}/docs`,
    ),
);
