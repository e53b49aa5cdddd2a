// When a GB device's silence turns into failed checks, as a pure function: the standard calls a device offline after
// `misses` keepalive intervals without one; the camera state machine calls a camera offline after F failed checks.
// The checks are placed so that the F-th falls on the standard's deadline (F < misses), or one per missed interval.

export interface KeepaliveTiming {
  intervalMs: number;
  /** Missed keepalives that make the device offline (HeartBeatCount, 3 by default). */
  misses: number;
}

/**
 * Failed checks a channel should have received by `now` since the last keepalive at `last`, given it goes offline
 * after `failuresToOffline` of them; `forced` (unregistered, registration expired) makes it offline at once.
 */
export function failuresDue(now: number, last: number, t: KeepaliveTiming, failuresToOffline: number, forced = false): number {
  const missed = Math.floor((now - last) / t.intervalMs);
  const lead = Math.max(0, t.misses - failuresToOffline);
  const due = Math.max(0, missed - lead);
  return forced ? Math.max(due, failuresToOffline) : due;
}

/** When the next failed check falls due, for the sweep to know how soon to look again. */
export function nextFailureAt(last: number, emitted: number, t: KeepaliveTiming, failuresToOffline: number): number {
  const lead = Math.max(0, t.misses - failuresToOffline);
  return last + (lead + emitted + 1) * t.intervalMs;
}
