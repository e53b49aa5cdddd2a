// The camera state machine, driven in milliseconds without sleeping.
import { describe, expect, it } from 'vitest';
import {
  initialState,
  isWatching,
  step,
  failuresFor,
  type DetectorInput,
  type DetectorParams,
  type DetectorState,
  type DetectorEffect,
} from './camera-state.ts';

const P: DetectorParams = { failuresToOffline: 2, stableForMs: 5_000, flapThreshold: 4, flapWindowMs: 60_000 };
const ok: DetectorInput = { type: 'check', ok: true };
const fail: DetectorInput = { type: 'check', ok: false, cause: 'unreachable' };

/** Feeds inputs at the given times; returns the final state and every effect. */
function drive(inputs: [number, DetectorInput][], params = P, start: DetectorState = initialState()) {
  let s = start;
  const effects: DetectorEffect[] = [];
  for (const [t, input] of inputs) {
    const r = step(s, input, t, params);
    s = r.state;
    effects.push(...r.effects);
  }
  return { s, effects, outages: effects.filter((e) => e.type === 'outageStart'), ends: effects.filter((e) => e.type === 'outageEnd') };
}

describe('camera state machine', () => {
  it('when the first check passes, then the camera is online without an outage', () => {
    const { s, effects } = drive([[0, ok]]);
    expect(s.status).toBe('online');
    expect(effects).toEqual([{ type: 'status', from: 'unknown', to: 'online', reason: 'first check passed', at: 0 }]);
  });

  it('when one check fails, then it is suspect; when the threshold is reached, then offline with one outage', () => {
    const one = drive([
      [0, ok],
      [1000, fail],
    ]);
    expect(one.s.status).toBe('suspect');
    expect(one.outages).toHaveLength(0);
    const two = drive([
      [0, ok],
      [1000, fail],
      [2000, fail],
      [3000, fail],
    ]);
    expect(two.s.status).toBe('offline');
    expect(two.outages).toEqual([{ type: 'outageStart', cause: 'unreachable', at: 2000 }]);
  });

  it('when a suspect camera passes a check, then it is online again and the failure count restarts', () => {
    const { s } = drive([
      [0, ok],
      [1000, fail],
      [2000, ok],
      [3000, fail],
    ]);
    expect(s.status).toBe('suspect');
    expect(s.failures).toBe(1);
  });

  it('when the priority class has its own threshold, then it applies', () => {
    const c = { offlineAfterFailures: 2, offlineAfterFailuresKey: 1, offlineAfterFailuresRemote: 5 };
    expect(failuresFor('key', c)).toBe(1);
    expect(failuresFor('remote', c)).toBe(5);
    expect(failuresFor('normal', c)).toBe(2);
    expect(
      drive(
        [
          [0, ok],
          [1, fail],
        ],
        { ...P, failuresToOffline: 1 },
      ).s.status,
    ).toBe('offline');
  });

  it('when an offline camera comes back, then it recovers and the outage ends only after it is stable', () => {
    const r = drive([
      [0, ok],
      [1000, fail],
      [2000, fail],
      [10_000, ok],
      [12_000, ok],
    ]);
    expect(r.s.status).toBe('recovering');
    expect(r.ends).toHaveLength(0);
    const done = drive([[15_000, ok]], P, r.s);
    expect(done.s.status).toBe('online');
    expect(done.ends).toEqual([{ type: 'outageEnd', at: 15_000, backSince: 10_000 }]);
  });

  it('when a recovering camera gets no checks, then a tick past the stable time ends the outage', () => {
    const r = drive([
      [0, ok],
      [1000, fail],
      [2000, fail],
      [10_000, ok],
      [14_999, { type: 'tick' }],
    ]);
    expect(r.s.status).toBe('recovering');
    const t = drive([[15_000, { type: 'tick' }]], P, r.s);
    expect(t.s.status).toBe('online');
    expect(t.ends).toHaveLength(1);
  });

  it('when a camera toggles down and up more than the threshold in the window, then it is flapping with one outage', () => {
    const inputs: [number, DetectorInput][] = [[0, ok]];
    for (let i = 0; i < 6; i++) {
      const t = 1000 + i * 4000;
      inputs.push([t, fail], [t + 1000, fail], [t + 2000, ok]);
    }
    const r = drive(inputs);
    expect(r.s.status).toBe('flapping');
    expect(r.outages).toHaveLength(1);
    expect(r.ends).toHaveLength(0);
    // Quiet and up for a whole window: online again, the outage ends once.
    const calm = drive(
      [
        [90_000, ok],
        [160_000, ok],
      ],
      P,
      r.s,
    );
    expect(calm.s.status).toBe('online');
    expect(calm.ends).toHaveLength(1);
  });

  it('when a stream check reports a black picture, then a quality outage opens; when it is fine again, then it ends', () => {
    const r = drive([
      [0, ok],
      [1000, { type: 'quality', issue: 'black' }],
      [2000, ok],
    ]);
    expect(r.s.status).toBe('online');
    expect(isWatching(r.s)).toBe(false);
    expect(r.outages).toEqual([{ type: 'outageStart', cause: 'black', at: 1000 }]);
    const fixed = drive([[3000, { type: 'quality', issue: null }]], P, r.s);
    expect(fixed.ends).toEqual([{ type: 'outageEnd', at: 3000, backSince: 3000 }]);
    expect(isWatching(fixed.s)).toBe(true);
  });

  it('when a camera with a quality issue also goes offline, then it is still one outage', () => {
    const r = drive([
      [0, ok],
      [1000, { type: 'quality', issue: 'frozen' }],
      [2000, fail],
      [3000, fail],
      [4000, ok],
      [10_000, ok],
    ]);
    expect(r.outages).toHaveLength(1);
    expect(r.ends).toHaveLength(0);
    expect(r.s.status).toBe('online');
    expect(drive([[11_000, { type: 'quality', issue: null }]], P, r.s).ends).toHaveLength(1);
  });

  it('when failures continue while offline, then nothing more happens', () => {
    const r = drive([
      [0, ok],
      [1, fail],
      [2, fail],
      [3, fail],
      [4, fail],
    ]);
    expect(r.effects.filter((e) => e.type === 'status').map((e) => (e as { to: string }).to)).toEqual(['online', 'suspect', 'offline']);
  });
});
