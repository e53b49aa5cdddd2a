// One ingest instance in its own process (failover tests and bench): the real service against DATABASE_URL and
// MQTT_URL; directed WS-Discovery probes go to TEST_PROBE_PORT, where the test's simulated cameras answer.
import { openRuntime } from '../../../core/runtime.ts';
import { IngestService } from '../../../ingest/ingest.service.ts';

const rt = await openRuntime({ name: 'ingest' });
await rt.run([new IngestService(rt, { discovery: false, probePort: Number(process.env.TEST_PROBE_PORT) || undefined })]);
rt.log.info('ingest running');
