import { describe, expect, it } from 'vitest';
import { judgeStream } from './stream-judge.ts';

const ok = { frames: 50, black: false, frozen: false, fps: 10, width: 1920, height: 1080, codec: 'h264' };
const profile = { encoding: 'H264', fps: 10, width: 1920, height: 1080 };

describe('judgeStream', () => {
  it('when the sample matches the profile, then there is no issue', () => {
    expect(judgeStream(ok, profile, 0.5)).toBeUndefined();
  });
  it('when no frame arrived, or the picture is black or frozen, then that is the issue, in that order', () => {
    expect(judgeStream({ ...ok, frames: 0, black: true }, profile, 0.5)).toBe('no_video');
    expect(judgeStream({ ...ok, black: true, frozen: true }, profile, 0.5)).toBe('black');
    expect(judgeStream({ ...ok, frozen: true }, profile, 0.5)).toBe('frozen');
  });
  it('when the frame rate or the resolution is far below the profile, then low_fps or low_resolution', () => {
    expect(judgeStream({ ...ok, fps: 4 }, profile, 0.5)).toBe('low_fps');
    expect(judgeStream({ ...ok, fps: 6 }, profile, 0.5)).toBeUndefined();
    expect(judgeStream({ ...ok, width: 640, height: 360 }, profile, 0.5)).toBe('low_resolution');
  });
  it('when the profile does not say, or the stream is another encoding than the profile, then rate and resolution are not judged', () => {
    expect(judgeStream({ ...ok, fps: 1, width: 320, height: 240 }, undefined, 0.5)).toBeUndefined();
    expect(judgeStream({ ...ok, codec: 'mjpeg', fps: 1, width: 320, height: 240 }, profile, 0.5)).toBeUndefined();
    expect(judgeStream({ ...ok, fps: 1 }, { ...profile, encoding: 'H.264' }, 0.5)).toBe('low_fps');
  });
});
