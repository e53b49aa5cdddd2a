// Stream check with fluent-ffmpeg: read the stream for a short sample and judge it by what arrived — frames,
// codec, resolution, black (blackdetect) and frozen (freezedetect) picture. ffmpeg runs under a watchdog and is
// killed hard when it hangs; its exit code means nothing here (0 with no frames is still a dead stream).
// Input options are chosen per protocol for the installed ffmpeg (ffmpeg-input.ts); an RTSP camera that refuses
// RTP over TCP is read over UDP.
import ffmpeg from 'fluent-ffmpeg';
import type { StreamCheck } from '../../core/events/index.ts';
import { inputOptionsFor, rtspTimeoutFlag, transportRefused, type RtspTransport } from './ffmpeg-input.ts';

export interface StreamCheckOptions {
  ffmpegPath: string;
  sampleMs: number;
  /** Extra time before the watchdog kills ffmpeg (connect, probe); also ffmpeg's own I/O timeout. */
  graceMs: number;
  /** RTSP only: the transport to ask for; `auto` (default) tries TCP, then UDP when the camera refuses TCP. */
  rtspTransport?: RtspTransport | 'auto';
}

export interface StreamCheckResult extends StreamCheck {
  killed: boolean;
  error?: string;
  /** RTSP: the transport the stream was read over (or last tried). */
  transport?: RtspTransport;
}

/**
 * Part of the sample the picture must stand still for to be `frozen`. A real scene can hold still for a second or
 * two (an empty street at night, a scene whose only change is the clock overlay); a dead encoder repeats one frame
 * for the whole sample.
 */
export const FROZEN_PART = 0.75;

export async function checkStream(uri: string, o: StreamCheckOptions): Promise<StreamCheckResult> {
  const want = o.rtspTransport ?? 'auto';
  if (!/^rtsps?:/i.test(uri)) return checkOnce(uri, o, 'tcp');
  const first = await checkOnce(uri, o, want === 'auto' ? 'tcp' : want);
  // Some cameras (and RTSP servers set up for multicast/UDP only) answer 461 to a TCP SETUP.
  if (want === 'auto' && first.frames === 0 && first.refusedTransport) return checkOnce(uri, o, 'udp');
  return first;
}

interface OnceResult extends StreamCheckResult {
  refusedTransport?: boolean;
}

async function checkOnce(uri: string, o: StreamCheckOptions, transport: RtspTransport): Promise<OnceResult> {
  const seconds = (o.sampleMs / 1000).toFixed(2);
  const rtsp = /^rtsps?:/i.test(uri);
  const r: OnceResult = { opened: false, frames: 0, black: false, frozen: false, killed: false, ...(rtsp ? { transport } : {}) };
  let blackSeconds = 0;
  /** Frames blackframe called black, as they come: a run ended by a signal still has them (blackdetect reports at the end). */
  let blackFrames = 0;
  let log = '';
  const input = inputOptionsFor(uri, {
    timeoutMs: o.graceMs,
    rtspTransport: transport,
    rtspTimeoutFlag: rtsp ? await rtspTimeoutFlag(o.ffmpegPath) : '-timeout',
  });
  const still = Math.max(1, (o.sampleMs / 1000) * FROZEN_PART).toFixed(2);
  return new Promise((resolve) => {
    const cmd = ffmpeg(uri)
      .setFfmpegPath(o.ffmpegPath)
      .inputOptions(input)
      .outputOptions([
        '-t',
        seconds,
        '-an',
        '-vf',
        `blackdetect=d=0.5:pix_th=0.10:pic_th=0.90,blackframe=amount=90:threshold=26,freezedetect=n=-60dB:d=${still}`,
        '-f',
        'null',
      ])
      .output('-');
    let finished = false;
    const finish = (err?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(watchdog);
      clearTimeout(stopAsk);
      r.black = r.frames > 0 && (blackSeconds >= (o.sampleMs / 1000) * 0.5 || blackFrames >= r.frames * 0.5);
      if (r.frames > 0) r.fps = Math.round((r.frames / (o.sampleMs / 1000)) * 10) / 10;
      if (err && r.frames === 0) {
        // ffmpeg's own reason (the last lines it wrote) says more than its exit code.
        const why = log
          .split('\n')
          .filter((l) => l && !/^\s*(frame=|Input #|Stream #|Metadata|Duration| {2})/.test(l))
          .slice(-3)
          .join(' | ');
        r.error = `${err}${why && !err.includes(why) ? `: ${why}` : ''}`.slice(0, 300);
        r.refusedTransport = rtsp && transportRefused(log);
      }
      resolve(r);
    };
    // ffmpeg normally stops by itself after the sample (-t); if not, it is asked to (SIGINT flushes the
    // detectors' reports) a second later, and killed hard when still there after sample + grace.
    let stopAsk: NodeJS.Timeout | undefined;
    const hardMs = o.sampleMs + o.graceMs + 1000;
    const watchdog = setTimeout(() => {
      r.killed = true;
      cmd.kill('SIGKILL');
      finish(`ffmpeg killed after ${hardMs} ms`);
    }, hardMs);
    const read = (text: string, final = false) => {
      if (log.length < 20_000) log += `${text}\n`;
      let black = 0;
      for (const line of text.split(/\r\n|\r|\n/)) {
        const stream = /Stream #\d+:\d+.*: Video: (\w+)[^,]*,.*?(\d{2,5})x(\d{2,5})/.exec(line);
        if (stream && !r.opened) {
          r.opened = true;
          // The sample counts from the moment the stream opened (connect and probe take their own time).
          stopAsk = setTimeout(() => cmd.kill('SIGINT'), o.sampleMs + 1000);
          r.codec = stream[1];
          r.width = Number(stream[2]);
          r.height = Number(stream[3]);
        }
        const frame = /frame=\s*(\d+)/.exec(line);
        if (frame) r.frames = Math.max(r.frames, Number(frame[1]));
        const b = /black_duration:\s*([\d.]+)/.exec(line);
        if (b) black += Number(b[1]);
        if (/freeze_start/.test(line)) r.frozen = true;
        // Counted as lines come only (the whole log read again at the end would count them twice).
        if (!final && /\bframe:\d+ pblack:\d+/.test(line)) blackFrames++;
      }
      blackSeconds = Math.max(blackSeconds, black);
    };
    // Progress as it comes (so a killed run still counts its frames), then the whole log at the end, where the
    // detectors print their summaries.
    cmd.on('stderr', (line: string) => read(line));
    cmd.on('end', (_out: string | null, stderr: string | null) => {
      read(String(stderr ?? ''), true);
      finish();
    });
    cmd.on('error', (err: Error, _out: string | null, stderr: string | null) => {
      read(String(stderr ?? ''), true);
      finish(err.message);
    });
    cmd.run();
  });
}
