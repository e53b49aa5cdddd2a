// Runs ingest alone (`npm run ingest`): door intake and cameras against DATABASE_URL and MQTT_URL.
import { openRuntime } from '../core/runtime.ts';
import { IngestService } from './ingest.service.ts';

// The runtime's stable client id keeps the persistent MQTT session (and the messages the broker holds for it) across restarts.
const rt = await openRuntime({ name: 'ingest' });
await rt.run([new IngestService(rt)]);
rt.log.info({ broker: rt.broker.url, backend: rt.db.backend }, 'ingest running');
