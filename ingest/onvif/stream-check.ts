// Stream check with fluent-ffmpeg: read the stream for a short sample and judge it by what arrived — frames,
// codec, resolution, black (blackdetect) and frozen (freezedetect) picture. ffmpeg runs under a watchdog and is
// killed hard when it hangs; its exit code means nothing here (0 with no frames is still a dead stream).
import ffmpeg from 'fluent-ffmpeg';
import type { StreamCheck } from '../../core/events/index.ts';

export interface StreamCheckOptions {
  ffmpegPath: string;
  sampleMs: number;
  /** Extra time before the watchdog kills ffmpeg (connect, probe). */
  graceMs: number;
}

export interface StreamCheckResult extends StreamCheck {
  killed: boolean;
  error?: string;
}

export function checkStream(uri: string, o: StreamCheckOptions): Promise<StreamCheckResult> {
  const seconds = (o.sampleMs / 1000).toFixed(2);
  const r: StreamCheckResult = { opened: false, frames: 0, black: false, frozen: false, killed: false };
  let blackSeconds = 0;
  const rtsp = uri.startsWith('rtsp');
  return new Promise((resolve) => {
    const cmd = ffmpeg(uri)
      .setFfmpegPath(o.ffmpegPath)
      // I/O timeout (µs) so a silent server ends the read; the watchdog below is the hard limit.
      // Wall-clock timestamps: MJPEG over HTTP has none, and ffmpeg's assumed 25 fps would stretch the sample.
      .inputOptions([...(rtsp ? ['-rtsp_transport', 'tcp'] : []), '-rw_timeout', String(o.graceMs * 1000), '-use_wallclock_as_timestamps', '1', '-analyzeduration', '1000000'])
      .outputOptions(['-t', seconds, '-an', '-vf', 'blackdetect=d=0.5:pix_th=0.10:pic_th=0.90,freezedetect=n=-60dB:d=1', '-f', 'null'])
      .output('-');
    let finished = false;
    const finish = (err?: string) => {
      if (finished) return;
      finished = true;
      clearTimeout(watchdog);
      clearTimeout(stopAsk);
      r.black = r.frames > 0 && blackSeconds >= (o.sampleMs / 1000) * 0.5;
      if (r.frames > 0) r.fps = Math.round((r.frames / (o.sampleMs / 1000)) * 10) / 10;
      if (err && r.frames === 0) r.error = err.slice(0, 300);
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
    const read = (text: string) => {
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
      }
      blackSeconds = Math.max(blackSeconds, black);
    };
    // Progress as it comes (so a killed run still counts its frames), then the whole log at the end, where the
    // detectors print their summaries.
    cmd.on('stderr', (line: string) => read(line));
    cmd.on('end', (_out: string | null, stderr: string | null) => {
      read(String(stderr ?? ''));
      finish();
    });
    cmd.on('error', (err: Error, _out: string | null, stderr: string | null) => {
      read(String(stderr ?? ''));
      finish(err.message);
    });
    cmd.run();
  });
}
