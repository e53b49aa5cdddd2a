// Runs ingest alone (`npm run ingest`): door intake and cameras against DATABASE_URL and MQTT_URL. A start that
// fails (a bad setting, a port in use) says so in one line and exits 1.
import { startProcess } from '../core/runtime.ts';
import { IngestService } from './ingest.service.ts';

// The runtime's stable client id keeps the persistent MQTT session (and the messages the broker holds for it) across restarts.
await startProcess(
  'ingest',
  (rt) => [new IngestService(rt)],
  (rt) => rt.log.info({ broker: rt.broker.url, backend: rt.db.backend }, 'ingest running'),
);
