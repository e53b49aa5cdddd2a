// The camera state machine as a pure function: (state, input, now) → { state, effects }. No I/O, no clock.
import type { CameraState, OutageCause } from '../../core/events/index.ts';
import type { DetectorMemory } from '../../core/db/repositories/outages.repository.ts';

/** What the detector remembers about one camera: the fields camera_state keeps, and whether an outage is open. */
export interface DetectorState extends DetectorMemory {
  /** True while an outage is open for the camera (down, recovering, flapping or with a quality issue). */
  outageOpen: boolean;
}

export type DetectorInput =
  | { type: 'check'; ok: true }
  | { type: 'check'; ok: false; cause: OutageCause }
  | { type: 'quality'; issue: OutageCause | null }
  | { type: 'tick' };

export type DetectorEffect =
  | { type: 'status'; from: CameraState; to: CameraState; reason: string; at: number }
  | { type: 'outageStart'; cause: OutageCause; at: number }
  /** `backSince`: when the camera came back (the outage's end); `at`: when that was confirmed. */
  | { type: 'outageEnd'; at: number; backSince: number };

export interface DetectorParams {
  failuresToOffline: number;
  stableForMs: number;
  flapThreshold: number;
  flapWindowMs: number;
}

export const initialState = (): DetectorState => ({ status: 'unknown', failures: 0, toggles: [], outageOpen: false });

const DOWN_SIDE: ReadonlySet<CameraState> = new Set(['offline', 'recovering', 'flapping']);

/** Counts for coverage (the rule is shared with the gateway's supervision figures). */
export { isWatching } from '../../core/city/watching.ts';

export function step(
  prev: DetectorState,
  input: DetectorInput,
  now: number,
  p: DetectorParams,
): { state: DetectorState; effects: DetectorEffect[] } {
  const s: DetectorState = { ...prev, toggles: prev.toggles.filter((t) => now - t < p.flapWindowMs) };
  const effects: DetectorEffect[] = [];
  const move = (to: CameraState, reason: string) => {
    if (s.status === to) return;
    effects.push({ type: 'status', from: s.status, to, reason, at: now });
    s.status = to;
    s.statusSince = now;
  };

  if (input.type === 'quality') {
    if (input.issue && !s.quality) s.qualitySince = now;
    s.quality = input.issue ?? undefined;
    if (!input.issue) s.qualitySince = undefined;
  } else if (input.type === 'check' && !input.ok) {
    s.upSince = undefined;
    if (s.status === 'recovering') {
      s.toggles.push(now);
      move(s.toggles.length >= p.flapThreshold ? 'flapping' : 'offline', `${input.cause} again`);
      s.failCause = input.cause;
    } else if (s.status === 'flapping') {
      if (prev.upSince !== undefined) s.toggles.push(now);
    } else if (s.status !== 'offline') {
      if (s.failures === 0) {
        s.failSince = now;
        s.failCause = input.cause;
      }
      s.failures++;
      if (s.failures >= p.failuresToOffline) {
        s.toggles.push(now);
        move(s.toggles.length >= p.flapThreshold ? 'flapping' : 'offline', `${s.failures} failed checks: ${input.cause}`);
      } else {
        move('suspect', `failed check: ${input.cause}`);
      }
    }
  } else if (input.type === 'check' && input.ok) {
    if (s.status === 'offline') {
      s.toggles.push(now);
      s.upSince = now;
      move(s.toggles.length >= p.flapThreshold ? 'flapping' : 'recovering', 'check passed');
    } else if (s.status === 'flapping') {
      if (s.upSince === undefined) {
        s.upSince = now;
        s.toggles.push(now);
      }
    } else if (s.status !== 'recovering') {
      move('online', s.status === 'suspect' ? 'check passed' : 'first check passed');
    }
    if (!DOWN_SIDE.has(s.status)) {
      s.failures = 0;
      s.failSince = undefined;
    }
  }

  // Back up long enough: recovering after REPAIR_STABLE_FOR, flapping once a whole flap window has passed quietly.
  if (s.status === 'recovering' && s.upSince !== undefined && now - s.upSince >= p.stableForMs) {
    move('online', 'stable');
  } else if (s.status === 'flapping' && s.upSince !== undefined && now - s.upSince >= Math.max(p.flapWindowMs, p.stableForMs)) {
    move('online', 'stopped flapping');
  }
  const backSince = s.upSince ?? now;
  if (!DOWN_SIDE.has(s.status)) {
    s.failures = s.status === 'suspect' ? s.failures : 0;
    if (s.status !== 'suspect') s.failSince = undefined;
    s.upSince = undefined;
  }

  const impaired = DOWN_SIDE.has(s.status) || s.quality !== undefined;
  if (impaired && !s.outageOpen) {
    const cause = DOWN_SIDE.has(s.status) ? (s.failCause ?? 'unreachable') : s.quality!;
    effects.push({ type: 'outageStart', cause, at: now });
    s.outageOpen = true;
  } else if (!impaired && s.outageOpen) {
    effects.push({ type: 'outageEnd', at: now, backSince: s.quality === undefined && prev.quality !== undefined ? now : backSince });
    s.outageOpen = false;
  }
  if (input.type !== 'tick') s.lastTs = Math.max(now, prev.lastTs ?? now);
  return { state: s, effects };
}

/** Offline threshold for a camera's priority class. */
export function failuresFor(
  priority: string,
  c: { offlineAfterFailures: number; offlineAfterFailuresKey?: number; offlineAfterFailuresRemote?: number },
): number {
  if (priority === 'key') return c.offlineAfterFailuresKey ?? c.offlineAfterFailures;
  if (priority === 'remote') return c.offlineAfterFailuresRemote ?? c.offlineAfterFailures;
  return c.offlineAfterFailures;
}
