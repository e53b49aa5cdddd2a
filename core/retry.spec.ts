import { describe, expect, it } from 'vitest';
import { retrying, StoppedError } from './retry.ts';

const recorder = () => {
  const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push({ level, obj, msg });
  return { lines, log: { warn: at('warn'), info: at('info') } as never };
};

describe('retrying', () => {
  it('when the operation fails twice then succeeds, then its result comes back, the first failure is logged with the error and the recovery too', async () => {
    const { lines, log } = recorder();
    let n = 0;
    const failures: number[] = [];
    const r = await retrying(
      async () => {
        if (++n < 3) throw new Error(`boom ${n}`);
        return 'ok';
      },
      { initialMs: 1, maxMs: 2, log, what: 'lookup', onFailure: (_e, a) => failures.push(a) },
    );
    expect(r).toBe('ok');
    expect(failures).toEqual([1, 2]);
    expect(lines.map((l) => l.level)).toEqual(['warn', 'info']);
    expect(lines[0].obj.err).toBeInstanceOf(Error);
    expect((lines[0].obj.err as Error).message).toBe('boom 1');
    expect(lines[1].obj).toMatchObject({ what: 'lookup', attempts: 3 });
  });

  it('when an error is not retryable, then it is thrown at once', async () => {
    let n = 0;
    const fatal = new TypeError('bad query');
    await expect(
      retrying(
        async () => {
          n++;
          throw fatal;
        },
        { initialMs: 1, maxMs: 1, retryable: (e) => !(e instanceof TypeError) },
      ),
    ).rejects.toBe(fatal);
    expect(n).toBe(1);
  });

  it('when the caller stops, then the last error is thrown (StoppedError when it was not an Error)', async () => {
    const err = new Error('down');
    await expect(
      retrying(
        async () => {
          throw err;
        },
        { initialMs: 1, maxMs: 1, stopped: () => true },
      ),
    ).rejects.toBe(err);
    await expect(
      retrying(
        async () => {
          throw 'text';
        },
        { initialMs: 1, maxMs: 1, stopped: () => true },
      ),
    ).rejects.toBeInstanceOf(StoppedError);
  });
});
