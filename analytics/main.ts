// Analytics alone (docker-compose, or more workers: each joins the `analytics` shared subscription), with the
// face matcher and the storage upkeep.
import { openRuntime } from '../core/runtime.ts';
import { StorageMaintenance } from '../core/db/maintenance.ts';
import { AnalyticsService } from './analytics.service.ts';
import { FaceService } from './face/face.service.ts';

const rt = await openRuntime({ name: 'analytics' });
await rt.run([new StorageMaintenance(rt), new AnalyticsService(rt), new FaceService(rt)]);
rt.log.info({ shared: rt.bus.shared }, 'analytics worker running');
