// ONVIF notification messages (as the `onvif` package parses them) → Gridwatch camera event kinds. A state
// topic carries a boolean; its rising edge and falling edge are two kinds (motion_start / motion_stop, …).
import type { CameraEventKind } from '../../core/events/index.ts';

interface Rule {
  match: RegExp;
  on: CameraEventKind;
  off: CameraEventKind;
}

const RULES: Rule[] = [
  {
    match: /CellMotionDetector\/Motion|VideoSource\/MotionAlarm|MotionRegionDetector|ObjectDetection\/Motion/i,
    on: 'motion_start',
    off: 'motion_stop',
  },
  {
    match: /TamperDetector\/Tamper|VideoSource\/GlobalSceneChange|ImageTooBlurry|ImageTooDark|ImageTooBright/i,
    on: 'tamper',
    off: 'tamper_end',
  },
  { match: /VideoSource\/SignalLoss|VideoLoss/i, on: 'video_loss', off: 'video_restored' },
];

export interface NormalisedEvent {
  kind: CameraEventKind;
  /** The state family ('motion', 'tamper', 'video'), to suppress repeats of the same state. */
  family: string;
  active: boolean;
  topic: string;
  ts: string;
  /** 'Initialized' messages restate the current state when a subscription starts. */
  initial: boolean;
}

const truthy = (v: unknown) => v === true || v === 'true' || v === 1 || v === '1';

function items(data: any): { name: string; value: unknown }[] {
  const list = data?.simpleItem ? (Array.isArray(data.simpleItem) ? data.simpleItem : [data.simpleItem]) : [];
  return list.map((i: any) => ({ name: String(i?.$?.Name ?? ''), value: i?.$?.Value }));
}

/** Undefined for topics Gridwatch does not track. */
export function normaliseOnvifEvent(message: any, now: Date): NormalisedEvent | undefined {
  const topic = String(message?.topic?._ ?? message?.topic ?? '');
  const rule = RULES.find((r) => r.match.test(topic));
  if (!rule) return undefined;
  const inner = message?.message?.message ?? message?.message ?? {};
  const data = items(inner.data);
  // The state item is usually the only one (IsMotion, IsTamper, State); take the first boolean-looking one.
  const state = data.find((i) => /^(Is|State|Value)/i.test(i.name)) ?? data[0];
  if (!state) return undefined;
  const active = truthy(state.value);
  const utc: unknown = inner.$?.UtcTime;
  // The client turns UtcTime into a Date; String(date) would drop the milliseconds.
  const ms = utc instanceof Date ? utc.getTime() : utc ? Date.parse(String(utc)) : NaN;
  return {
    kind: active ? rule.on : rule.off,
    family: rule.on,
    active,
    topic,
    ts: new Date(Number.isNaN(ms) ? now.getTime() : ms).toISOString(),
    initial: String(inner.$?.PropertyOperation ?? '') === 'Initialized',
  };
}
