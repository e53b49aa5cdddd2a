// Whether a camera is watching: reachable and its picture usable. Analytics' coverage and the supervisors'
// key-location figures (gateway) must count the same cameras, so the rule lives here once.

/** True when the camera is reachable (online, or suspect: failing checks but not yet offline) and has no open picture issue. */
export function isWatching(s: { status: string; quality?: string | null }): boolean {
  return (s.status === 'online' || s.status === 'suspect') && !s.quality;
}
