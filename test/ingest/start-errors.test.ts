// Ingest and analytics started alone (`npm run ingest`, `npm run analytics`) fail like the gateway when a port is
// taken: one line naming the setting to change, exit 1, no raw stack.
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { run } from '../helpers/run.ts';

const PORT = 24018;
let holder: Server;
let testDb: TestDb;
let dataDir: string;
beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((r) => holder.listen(PORT, '127.0.0.1', r));
  testDb = await freshPgDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'gw-start-'));
});
afterAll(async () => {
  holder?.close();
  await testDb?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a service started alone whose port is taken', () => {
  for (const service of ['ingest', 'analytics']) {
    it(`when ${service}'s embedded broker port is held by another program, then one line names MQTT_EMBEDDED_PORT and it exits 1`, async () => {
      const p = run(process.execPath, ['--import', 'tsx', `${service}/main.ts`], {
        DATABASE_URL: testDb.url!,
        MQTT_URL: '',
        MQTT_EMBEDDED_PORT: String(PORT),
        DATA_DIR: dataDir,
        SIMULATE: 'off',
        GB_SIP_PORT: '0',
        LOG_LEVEL: 'info',
      });
      const code = await new Promise<number | null>((r) => p.child.once('exit', (c) => r(c)));
      const out = p.output();
      expect(code).toBe(1);
      const fatal = out.split('\n').filter((l) => /cannot start/.test(l));
      expect(fatal).toHaveLength(1);
      expect(JSON.parse(fatal[0])).toMatchObject({ level: 60, variable: 'MQTT_EMBEDDED_PORT' });
      expect(fatal[0]).toMatch(new RegExp(`port ${PORT} .*already in use: set MQTT_EMBEDDED_PORT`));
      expect(out).not.toMatch(/^\s+at /m);
    }, 120_000);
  }
});
