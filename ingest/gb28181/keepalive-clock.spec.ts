import { describe, expect, it } from 'vitest';
import { failuresDue, nextFailureAt } from './keepalive-clock.ts';

const t = { intervalMs: 60_000, misses: 3 };

describe('keepalive clock', () => {
  it('when the camera goes offline after 2 failed checks, then they fall at 2 and 3 missed intervals (offline at 3, the standard)', () => {
    expect(failuresDue(59_999, 0, t, 2)).toBe(0);
    expect(failuresDue(119_999, 0, t, 2)).toBe(0);
    expect(failuresDue(120_000, 0, t, 2)).toBe(1);
    expect(failuresDue(180_000, 0, t, 2)).toBe(2);
    expect(failuresDue(240_000, 0, t, 2)).toBe(3);
  });

  it('when one failed check makes a camera offline, then it falls on the third missed interval', () => {
    expect(failuresDue(179_999, 0, t, 1)).toBe(0);
    expect(failuresDue(180_000, 0, t, 1)).toBe(1);
  });

  it('when more failures than misses are needed, then one falls per missed interval', () => {
    expect(failuresDue(60_000, 0, t, 5)).toBe(1);
    expect(failuresDue(300_000, 0, t, 5)).toBe(5);
  });

  it('when the device unregistered, then all the failures are due at once', () => {
    expect(failuresDue(1_000, 0, t, 2, true)).toBe(2);
  });

  it('when failures were already sent, then the next falls one interval later', () => {
    expect(nextFailureAt(0, 0, t, 2)).toBe(120_000);
    expect(nextFailureAt(0, 1, t, 2)).toBe(180_000);
  });
});
