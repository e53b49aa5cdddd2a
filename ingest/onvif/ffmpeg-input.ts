// ffmpeg input options per protocol, for the ffmpeg actually installed: an option one demuxer lacks makes ffmpeg
// exit at once ("Option rw_timeout not found." for RTSP on Debian 12's 5.1), so each protocol gets only its own.
import { execFile } from 'node:child_process';

export type RtspTransport = 'tcp' | 'udp';

/** How the installed ffmpeg names the RTSP socket timeout: `-stimeout` up to 4.4, `-timeout` from 5.0 on. */
export type RtspTimeoutFlag = '-stimeout' | '-timeout';

const flags = new Map<string, Promise<RtspTimeoutFlag>>();

/**
 * Asks the ffmpeg binary once (per path) which RTSP timeout option it has. Before 5.0, `-timeout` of the RTSP
 * demuxer was the *listen* timeout (it would make ffmpeg wait for a camera to connect to it), so it is used only when
 * `-stimeout` is absent.
 */
export function rtspTimeoutFlag(ffmpegPath: string): Promise<RtspTimeoutFlag> {
  let f = flags.get(ffmpegPath);
  if (!f) {
    f = new Promise((resolve) => {
      execFile(ffmpegPath, ['-hide_banner', '-h', 'demuxer=rtsp'], { timeout: 10_000 }, (_err, stdout, stderr) => {
        resolve(/^\s*-stimeout\b/m.test(`${stdout}${stderr}`) ? '-stimeout' : '-timeout');
      });
    });
    flags.set(ffmpegPath, f);
  }
  return f;
}

export interface InputOptions {
  /** I/O timeout: a silent server ends the read instead of hanging until the watchdog. */
  timeoutMs: number;
  rtspTransport: RtspTransport;
  rtspTimeoutFlag: RtspTimeoutFlag;
}

/** The input options for one URI: RTSP gets transport and socket timeout, HTTP(S) (MJPEG, HLS, HTTP-FLV) `-rw_timeout`. */
export function inputOptionsFor(uri: string, o: InputOptions): string[] {
  const us = String(Math.round(o.timeoutMs * 1000));
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(uri)?.[1]?.toLowerCase();
  const common = ['-analyzeduration', '1000000'];
  if (scheme === 'rtsp' || scheme === 'rtsps') {
    // RTP carries its own timestamps: wall-clock ones would only add jitter.
    return ['-rtsp_transport', o.rtspTransport, o.rtspTimeoutFlag, us, ...common];
  }
  if (scheme === 'http' || scheme === 'https') {
    // MJPEG over HTTP has no timestamps, and ffmpeg's assumed 25 fps would stretch the sample: wall-clock ones.
    const mjpeg = !/\.(m3u8|flv)(\?|$)/i.test(uri);
    return ['-rw_timeout', us, ...(mjpeg ? ['-use_wallclock_as_timestamps', '1'] : []), ...common];
  }
  return common;
}

/** ffmpeg's words for a server that will not do RTP over the transport asked (RTSP 461, or no usable SETUP answer). */
export function transportRefused(stderr: string): boolean {
  return /461|Unsupported transport|Nonmatching transport|method SETUP failed/i.test(stderr);
}
