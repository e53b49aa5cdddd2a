// Turns health samples and ONVIF camera events into state-machine inputs with their outage cause.
import type { CameraEvent, CameraHealthSample, OutageCause } from '../../core/events/index.ts';
import type { DetectorInput } from './camera-state.ts';

const FAILURE_CAUSE: Record<string, OutageCause> = {
  refused: 'unreachable',
  timeout: 'unreachable',
  bad_response: 'unreachable',
  auth: 'auth',
  no_video: 'no_video',
  black: 'black',
  frozen: 'frozen',
  low_fps: 'low_quality',
  low_resolution: 'low_quality',
};

/** The quality issue a reachable stream check shows, or null when the picture is fine. */
export function qualityIssue(s: CameraHealthSample): OutageCause | null {
  const st = s.stream;
  if (st?.black || s.errorClass === 'black') return 'black';
  if (st?.frozen || s.errorClass === 'frozen') return 'frozen';
  if ((st && (!st.opened || st.frames === 0)) || s.errorClass === 'no_video') return 'no_video';
  if (s.errorClass === 'low_fps' || s.errorClass === 'low_resolution') return 'low_quality';
  return null;
}

/**
 * A stream check speaks about the picture (a stream with no frames is a quality issue of a camera that may well
 * answer its heartbeats); a heartbeat about reachability, where refused credentials count as a failure (cause auth).
 */
export function inputOfSample(s: CameraHealthSample): DetectorInput {
  if (s.kind === 'stream') return { type: 'quality', issue: qualityIssue(s) };
  if (s.errorClass === 'auth') return { type: 'check', ok: false, cause: 'auth' };
  if (s.reachable) return { type: 'check', ok: true };
  return { type: 'check', ok: false, cause: FAILURE_CAUSE[s.errorClass ?? ''] ?? 'unreachable' };
}

/** Tamper covers the lens, video loss blanks it: both are quality issues until their end event. */
export function inputOfCameraEvent(e: CameraEvent): DetectorInput | undefined {
  switch (e.kind) {
    case 'tamper':
      return { type: 'quality', issue: 'covered' };
    case 'video_loss':
      return { type: 'quality', issue: 'no_video' };
    case 'tamper_end':
    case 'video_restored':
      return { type: 'quality', issue: null };
    default:
      return undefined;
  }
}
