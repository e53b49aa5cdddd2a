// GB/T 28181 Alarm notifications (A.2.5.1) to camera events: AlarmMethod 2 (device) with AlarmType 1 video loss and
// 2 tamper, 5 (video analysis) with 2 motion and 11 video anomaly (lens covered), 6 (device fault) any type.
import type { CameraEventKind } from '../../core/events/index.ts';

export interface GbAlarm {
  deviceId: string;
  method: number;
  /** AlarmType under Info (2016); 2011 devices send none. */
  type?: number;
  priority?: number;
  time?: string;
  description?: string;
}

/** The camera event an alarm is, or undefined for methods without one (phone, SMS, GPS, other). */
export function eventKindOfAlarm(a: GbAlarm): CameraEventKind | undefined {
  if (a.method === 2) {
    if (a.type === 1) return 'video_loss';
    if (a.type === 2) return 'tamper';
    return 'device_fault';
  }
  if (a.method === 5) {
    if (a.type === 11) return 'tamper';
    return 'motion_start';
  }
  if (a.method === 6) return 'device_fault';
  return undefined;
}

/** The alarm in a Notify body: AlarmMethod may list several (e.g. "2,5"); the first one known is used. */
export function alarmOf(body: Record<string, any>): GbAlarm {
  const methods = String(body.AlarmMethod ?? '')
    .split(/[,/\s]+/)
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
  const info = (body.Info ?? {}) as Record<string, any>;
  const typeText = info.AlarmType ?? body.AlarmType;
  const num = (v: unknown) => (v === undefined || v === '' ? undefined : Number(v));
  return {
    deviceId: String(body.DeviceID ?? ''),
    method: methods.find((m) => [2, 5, 6].includes(m)) ?? methods[0] ?? 0,
    type: num(typeText),
    priority: num(body.AlarmPriority),
    time: body.AlarmTime ? String(body.AlarmTime) : undefined,
    description: body.AlarmDescription ? String(body.AlarmDescription) : undefined,
  };
}
