// `npm start` whose HTTP port is taken says which setting to change in one line and exits 1, with no raw stack.
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { startAllInOne } from '../helpers/run.ts';
import { MQTT_URL } from './gateway-context.ts';

const PORT = 24017;
let holder: Server;
let testDb: TestDb;
let dataDir: string;
beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((r) => holder.listen(PORT, '0.0.0.0', r));
  testDb = await freshPgDb();
  dataDir = await mkdtemp(path.join(tmpdir(), 'gw-start-'));
});
afterAll(async () => {
  holder?.close();
  await testDb?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('a start whose port is taken', () => {
  it('when PORT is held by another program, then one line names PORT and the process exits 1 without a stack', async () => {
    const p = startAllInOne(dataDir, PORT, { DATABASE_URL: testDb.url!, MQTT_URL, SIMULATE: 'off', GB_SIP_PORT: '0', LOG_LEVEL: 'info' });
    const code = await new Promise<number | null>((r) => p.child.once('exit', (c) => r(c)));
    const out = p.output();
    expect(code).toBe(1);
    const fatal = out.split('\n').filter((l) => /cannot start/.test(l));
    expect(fatal).toHaveLength(1);
    expect(JSON.parse(fatal[0])).toMatchObject({ level: 60, variable: 'PORT' });
    expect(fatal[0]).toMatch(new RegExp(`port ${PORT} .*already in use: set PORT`));
    expect(out).not.toMatch(/^\s+at /m);
    expect(out).not.toMatch(/EADDRINUSE/);
  }, 120_000);
});
