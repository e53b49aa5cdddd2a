// Judges an ffmpeg stream sample against the camera's own profile: no video, black, frozen, or a frame rate or
// resolution far below what the profile promises (STREAM_MIN_RATIO).
import type { HealthErrorClass } from '../../core/events/index.ts';

export interface StreamSample {
  frames: number;
  black: boolean;
  frozen: boolean;
  fps?: number;
  width?: number;
  height?: number;
  codec?: string;
}

export interface ProfileVideo {
  encoding?: string;
  fps?: number;
  width?: number;
  height?: number;
}

export function judgeStream(r: StreamSample, profile: ProfileVideo | undefined, minRatio: number): HealthErrorClass | undefined {
  if (r.frames === 0) return 'no_video';
  if (r.black) return 'black';
  if (r.frozen) return 'frozen';
  // A URI that serves another encoding than its profile (a transcoding proxy, a preview stream) cannot be held to
  // that profile's rate and resolution.
  if (!sameEncoding(r.codec, profile?.encoding)) return undefined;
  if (profile?.fps && r.fps !== undefined && r.fps < profile.fps * minRatio) return 'low_fps';
  if (profile?.width && profile.height && r.width && r.height && r.width * r.height < profile.width * profile.height * minRatio) {
    return 'low_resolution';
  }
  return undefined;
}

function sameEncoding(codec: string | undefined, encoding: string | undefined): boolean {
  if (!codec || !encoding) return false;
  const norm = (v: string) =>
    v
      .toLowerCase()
      .replace(/^jpeg$/, 'mjpeg')
      .replace(/^h\.?264$/, 'h264')
      .replace(/^h\.?265$|^hevc$/, 'h265');
  return norm(codec) === norm(encoding);
}
