// What the start-error tests share: a port held by another program, a database and a data folder for the process
// under test, and the check of its one fatal line.
import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { freshPgDb, type TestDb } from './db.ts';

/** Holds `port` on `host` for the file's tests; the returned object is filled in before they run. */
export function takenPort(port: number, host: string): { testDb: TestDb; dataDir: string } {
  const state = {} as { testDb: TestDb; dataDir: string };
  let holder: Server | undefined;
  beforeAll(async () => {
    const h = createServer();
    await new Promise<void>((r) => h.listen(port, host, r));
    holder = h;
    state.testDb = await freshPgDb();
    state.dataDir = await mkdtemp(path.join(tmpdir(), 'gw-start-'));
  });
  afterAll(async () => {
    holder?.close();
    await state.testDb?.close();
    if (state.dataDir) await rm(state.dataDir, { recursive: true, force: true });
  });
  return state;
}

/** Exactly one "cannot start" line, naming `variable` and the taken port; no raw stack. */
export function expectOneFatalLine(out: string, variable: string, port: number): void {
  const fatal = out.split('\n').filter((l) => /cannot start/.test(l));
  expect(fatal).toHaveLength(1);
  expect(JSON.parse(fatal[0])).toMatchObject({ level: 60, variable });
  expect(fatal[0]).toMatch(new RegExp(`port ${port} .*already in use: set ${variable}`));
  expect(out).not.toMatch(/^\s+at /m);
}
