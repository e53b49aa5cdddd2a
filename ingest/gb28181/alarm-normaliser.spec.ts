import { describe, expect, it } from 'vitest';
import { alarmOf, eventKindOfAlarm } from './alarm-normaliser.ts';

describe('GB alarms as camera events', () => {
  it('when a device alarm says video loss or tamper, then it is video_loss or tamper', () => {
    expect(eventKindOfAlarm({ deviceId: 'x', method: 2, type: 1 })).toBe('video_loss');
    expect(eventKindOfAlarm({ deviceId: 'x', method: 2, type: 2 })).toBe('tamper');
  });

  it('when a video alarm says motion, then it is motion_start; a video anomaly is tamper', () => {
    expect(eventKindOfAlarm({ deviceId: 'x', method: 5, type: 2 })).toBe('motion_start');
    expect(eventKindOfAlarm({ deviceId: 'x', method: 5, type: 11 })).toBe('tamper');
  });

  it('when the method is device fault, then it is device_fault; a phone alarm is no camera event', () => {
    expect(eventKindOfAlarm({ deviceId: 'x', method: 6, type: 1 })).toBe('device_fault');
    expect(eventKindOfAlarm({ deviceId: 'x', method: 1 })).toBeUndefined();
  });

  it('when a Notify lists several methods and its type under Info, then the known method and the type are read', () => {
    expect(
      alarmOf({
        DeviceID: '35030401001320000001',
        AlarmPriority: '1',
        AlarmMethod: '1,5',
        AlarmTime: '2026-12-06T08:00:00',
        Info: { AlarmType: '2' },
      }),
    ).toEqual({
      deviceId: '35030401001320000001',
      method: 5,
      type: 2,
      priority: 1,
      time: '2026-12-06T08:00:00',
      description: undefined,
    });
  });
});
