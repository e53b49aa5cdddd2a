import { describe, expect, it } from 'vitest';
import type { CameraHealthSample } from '../../core/events/index.ts';
import { GbLiveness } from './gb-liveness.ts';

function setup() {
  const samples: CameraHealthSample[] = [];
  const l = new GbLiveness(
    (s) => samples.push(s),
    (p) => (p === 'key' ? 1 : 2),
  );
  l.device('dev', 0, { intervalMs: 60_000, misses: 3 });
  l.setChannels('dev', [
    { id: 'a', priority: 'normal' },
    { id: 'k', priority: 'key' },
  ]);
  return { l, samples, of: (id: string) => samples.filter((s) => s.cameraId === id).map((s) => (s.reachable ? 'ok' : s.errorClass)) };
}

describe('GB liveness', () => {
  it('when a keepalive arrives, then every ON channel passes a check', () => {
    const { l, of } = setup();
    expect(l.keepalive('dev', 1_000)).toBe(false);
    expect([of('a'), of('k')]).toEqual([['ok'], ['ok']]);
  });

  it('when the device falls silent, then the offline-making failure falls on the third missed interval for every priority', () => {
    const { l, of } = setup();
    l.keepalive('dev', 0);
    expect(l.sweep(119_999)).toEqual([]);
    l.sweep(120_000);
    expect([of('a'), of('k')]).toEqual([['ok', 'timeout'], ['ok']]);
    expect(l.sweep(180_000)).toEqual(['dev']);
    expect([of('a'), of('k')]).toEqual([
      ['ok', 'timeout', 'timeout'],
      ['ok', 'timeout'],
    ]);
    // Swept again within the same interval: nothing more.
    l.sweep(190_000);
    expect(of('a')).toHaveLength(3);
    expect(l.keepalive('dev', 200_000)).toBe(true);
  });

  it('when the device reports a channel OFF, then that channel gets its offline-making failures at once and fails each keepalive', () => {
    const { l, of } = setup();
    l.setChannelOff('dev', 'a', true, 5_000);
    expect(of('a')).toEqual(['refused', 'refused']);
    l.keepalive('dev', 60_000);
    expect([of('a'), of('k')]).toEqual([['refused', 'refused', 'refused'], ['ok']]);
    l.setChannelOff('dev', 'a', false, 61_000);
    expect(of('a').at(-1)).toBe('ok');
  });

  it('when the device unregisters, then its channels are offline at once', () => {
    const { l, of, samples } = setup();
    l.force('dev', 'device unregistered', 10_000);
    expect([of('a'), of('k')]).toEqual([['timeout', 'timeout'], ['timeout']]);
    expect(samples[0].error).toBe('device unregistered');
  });
});
