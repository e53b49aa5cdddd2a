// Which cameras an alert concerns, and which alerts keep an event clip: the gateway's clip recorder records them and
// the dashboard's live page offers their views and clips, so both read them here.
import type { Alert } from './alert.ts';

/** Alerts that keep a clip. */
export const CLIP_KINDS: ReadonlySet<string> = new Set(['door_forced', 'door_tamper', 'camera_tamper', 'watchlist_match']);

/** The cameras of an alert: the one it is about, those that cover its door, the one a face was seen by. */
export function alertCameras(a: Pick<Alert, 'subjectKind' | 'subjectId' | 'evidence'>): string[] {
  const ev = (a.evidence ?? {}) as { cameras?: Array<{ id?: unknown }>; snapshots?: Array<{ cameraId?: unknown }>; cameraId?: unknown };
  const ids = [
    a.subjectKind === 'camera' ? a.subjectId : undefined,
    ...(ev.cameras ?? []).map((c) => c.id),
    ...(ev.snapshots ?? []).map((c) => c.cameraId),
    ev.cameraId,
  ];
  return [...new Set(ids.filter((x): x is string => typeof x === 'string' && x.length > 0))];
}
