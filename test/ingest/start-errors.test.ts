// Ingest and analytics started alone (`npm run ingest`, `npm run analytics`) fail like the gateway when a port is
// taken: one line naming the setting to change, exit 1, no raw stack.
import { describe, expect, it } from 'vitest';
import { run } from '../helpers/run.ts';
import { expectOneFatalLine, takenPort } from '../helpers/taken-port.ts';

const PORT = 24018;
const held = takenPort(PORT, '127.0.0.1');

describe('a service started alone whose port is taken', () => {
  for (const service of ['ingest', 'analytics']) {
    it(`when ${service}'s embedded broker port is held by another program, then one line names MQTT_EMBEDDED_PORT and it exits 1`, async () => {
      const p = run(process.execPath, ['--import', 'tsx', `${service}/main.ts`], {
        DATABASE_URL: held.testDb.url!,
        MQTT_URL: '',
        MQTT_EMBEDDED_PORT: String(PORT),
        DATA_DIR: held.dataDir,
        SIMULATE: 'off',
        GB_SIP_PORT: '0',
        LOG_LEVEL: 'info',
      });
      const code = await new Promise<number | null>((r) => p.child.once('exit', (c) => r(c)));
      expect(code).toBe(1);
      expectOneFatalLine(p.output(), 'MQTT_EMBEDDED_PORT', PORT);
    }, 120_000);
  }
});
