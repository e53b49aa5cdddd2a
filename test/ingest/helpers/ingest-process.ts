// One ingest instance in its own process (failover tests and bench): the real service against DATABASE_URL and
// MQTT_URL; directed WS-Discovery probes go to TEST_PROBE_PORT, where the test's simulated cameras answer.
// GW_CPU_PROFILE=file: SIGUSR2 starts a CPU profile and the next SIGUSR2 writes it there (a bench's measured window).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { openRuntime } from '../../../core/runtime.ts';
import { IngestService } from '../../../ingest/ingest.service.ts';

const rt = await openRuntime({ name: 'ingest' });
await rt.run([new IngestService(rt, { discovery: false, probePort: Number(process.env.TEST_PROBE_PORT) || undefined })]);
rt.log.info('ingest running');

const profileFile = process.env.GW_CPU_PROFILE;
if (profileFile) {
  let session: Session | undefined;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!session) {
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.start');
        rt.log.info('cpu profile started');
      } else {
        const { profile } = await session.post('Profiler.stop');
        session.disconnect();
        session = undefined;
        writeFileSync(profileFile, JSON.stringify(profile));
        rt.log.info({ file: profileFile }, 'cpu profile written');
      }
    })();
  });
}
