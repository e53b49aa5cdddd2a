// How health samples and ONVIF events become detector inputs, with the samples ingest actually sends.
import { describe, expect, it } from 'vitest';
import type { CameraHealthSample } from '../../core/events/index.ts';
import { inputOfCameraEvent, inputOfSample } from './sample-input.ts';

const base = { sampleId: '00000000-0000-4000-8000-000000000001', cameraId: 'c1', ts: '2026-03-01T08:00:00Z' };
const hb = (x: Partial<CameraHealthSample>): CameraHealthSample => ({ ...base, kind: 'heartbeat', reachable: true, ...x });
const stream = (x: Partial<NonNullable<CameraHealthSample['stream']>>, extra: Partial<CameraHealthSample> = {}): CameraHealthSample => ({
  ...base,
  kind: 'stream',
  reachable: true,
  stream: { opened: true, frames: 50, fps: 25, black: false, frozen: false, ...x },
  ...extra,
});

describe('sample to input', () => {
  it('when a heartbeat answers, then the check passes; when it times out or is refused, then it fails as unreachable', () => {
    expect(inputOfSample(hb({}))).toEqual({ type: 'check', ok: true });
    expect(inputOfSample(hb({ reachable: false, errorClass: 'timeout' }))).toEqual({ type: 'check', ok: false, cause: 'unreachable' });
    expect(inputOfSample(hb({ reachable: false, errorClass: 'refused' }))).toEqual({ type: 'check', ok: false, cause: 'unreachable' });
  });

  it('when the camera answers but refuses our credentials, then the check fails with cause auth', () => {
    expect(inputOfSample(hb({ reachable: true, errorClass: 'auth' }))).toEqual({ type: 'check', ok: false, cause: 'auth' });
  });

  it('when a stream check shows black, frozen, no frames or low quality, then it is a quality issue, never a reachability failure', () => {
    expect(inputOfSample(stream({ black: true }, { errorClass: 'black' }))).toEqual({ type: 'quality', issue: 'black' });
    expect(inputOfSample(stream({ frozen: true }))).toEqual({ type: 'quality', issue: 'frozen' });
    expect(inputOfSample(stream({ frames: 0 }, { reachable: false, errorClass: 'no_video' }))).toEqual({
      type: 'quality',
      issue: 'no_video',
    });
    expect(inputOfSample(stream({}, { errorClass: 'low_fps' }))).toEqual({ type: 'quality', issue: 'low_quality' });
    expect(inputOfSample(stream({}))).toEqual({ type: 'quality', issue: null });
  });

  it('when ONVIF reports tamper or video loss, then the lens is covered or the video gone until the matching end event', () => {
    const e = { eventId: base.sampleId, cameraId: 'c1', ts: base.ts };
    expect(inputOfCameraEvent({ ...e, kind: 'tamper' })).toEqual({ type: 'quality', issue: 'covered' });
    expect(inputOfCameraEvent({ ...e, kind: 'tamper_end' })).toEqual({ type: 'quality', issue: null });
    expect(inputOfCameraEvent({ ...e, kind: 'video_loss' })).toEqual({ type: 'quality', issue: 'no_video' });
    expect(inputOfCameraEvent({ ...e, kind: 'motion_start' })).toBeUndefined();
  });
});
