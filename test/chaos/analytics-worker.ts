// The analytics service alone in a process of its own, as analytics/main.ts runs it but without the face matcher
// (whose model load takes seconds): the worker that test/chaos/analytics-crash.test.ts SIGKILLs.
import { openRuntime } from '../../core/runtime.ts';
import { AnalyticsService } from '../../analytics/analytics.service.ts';

const rt = await openRuntime({ name: 'analytics' });
await rt.run([new AnalyticsService(rt)]);
rt.log.info({ shared: rt.bus.shared }, 'analytics worker running');
