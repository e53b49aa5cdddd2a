// Analytics alone (docker-compose, or more workers: each joins the `analytics` shared subscription), with the
// face matcher and the storage upkeep. A start that fails says so in one line and exits 1.
import { startProcess } from '../core/runtime.ts';
import { StorageMaintenance } from '../core/db/maintenance.ts';
import { AnalyticsService } from './analytics.service.ts';
import { FaceService } from './face/face.service.ts';

await startProcess(
  'analytics',
  (rt) => [new StorageMaintenance(rt), new AnalyticsService(rt), new FaceService(rt)],
  (rt) => rt.log.info({ shared: rt.bus.shared }, 'analytics worker running'),
);
