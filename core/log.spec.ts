import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggerTo } from './log.ts';

function capture(tty: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY: tty });
  let text = '';
  out.on('data', (d: Buffer) => (text += d.toString()));
  return { out, text: () => text };
}

describe('loggerTo', () => {
  it('when the output is not a terminal, then each line is JSON with the stack of an error', async () => {
    const c = capture(false);
    loggerTo(c.out, 'info', 'spec').error({ err: new Error('boom') }, 'failed');
    await new Promise((r) => setImmediate(r));
    const line = JSON.parse(c.text().trim());
    expect(line).toMatchObject({ name: 'spec', msg: 'failed', err: { message: 'boom' } });
    expect(line.err.stack).toMatch(/log\.spec\.ts/);
  });

  it('when the output is a terminal, then lines are pretty (not JSON) and carry the message and the stack', async () => {
    const c = capture(true);
    loggerTo(c.out, 'info', 'spec').error({ err: new Error('boom') }, 'failed');
    await new Promise((r) => setImmediate(r));
    expect(c.text().trimStart().startsWith('{')).toBe(false);
    expect(c.text()).toMatch(/failed/);
    expect(c.text()).toMatch(/boom/);
    expect(c.text()).toMatch(/log\.spec\.ts/);
  });
});
