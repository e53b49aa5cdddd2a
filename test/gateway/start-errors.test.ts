// `npm start` whose HTTP port is taken says which setting to change in one line and exits 1, with no raw stack.
import { describe, expect, it } from 'vitest';
import { startAllInOne } from '../helpers/run.ts';
import { expectOneFatalLine, takenPort } from '../helpers/taken-port.ts';
import { MQTT_URL } from './gateway-context.ts';

const PORT = 24017;
const held = takenPort(PORT, '0.0.0.0');

describe('a start whose port is taken', () => {
  it('when PORT is held by another program, then one line names PORT and the process exits 1 without a stack', async () => {
    const p = startAllInOne(held.dataDir, PORT, {
      DATABASE_URL: held.testDb.url!,
      MQTT_URL,
      SIMULATE: 'off',
      GB_SIP_PORT: '0',
      LOG_LEVEL: 'info',
    });
    const code = await new Promise<number | null>((r) => p.child.once('exit', (c) => r(c)));
    expect(code).toBe(1);
    expectOneFatalLine(p.output(), 'PORT', PORT);
    expect(p.output()).not.toMatch(/EADDRINUSE/);
  }, 120_000);
});
