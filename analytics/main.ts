// Analytics alone (docker-compose, or more workers: each joins the `analytics` shared subscription).
import { openRuntime } from '../core/runtime.ts';
import { AnalyticsService } from './analytics.service.ts';

const rt = await openRuntime({ name: 'analytics' });
await rt.run([new AnalyticsService(rt)]);
rt.log.info({ shared: rt.bus.shared }, 'analytics worker running');
