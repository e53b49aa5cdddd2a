// One camera's stream as fragmented MP4 from one ffmpeg, shared by everyone reading it (live viewers, the clip ring
// buffer): H.264 over RTSP is remuxed as it comes (no re-encode); anything else (H.265, MJPEG) is encoded to H.264,
// which is what every browser plays. Keeps the init segment and the last fragment, so a new reader starts at once.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Logger } from '../../core/log.ts';
import { redactUri } from '../../core/credentials/camera-access.ts';
import { Mp4Splitter } from './mp4-boxes.ts';

export interface FeedOptions {
  ffmpegPath: string;
  /** The stream URI with credentials in it. */
  uri: string;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** Socket timeout of the camera connection. */
  timeoutMs?: number;
}

export interface Fragment {
  data: Buffer;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export type FeedReader = (part: { init: Buffer } | { fragment: Fragment }) => void;

const FRAG_FLAGS = ['-f', 'mp4', '-movflags', 'frag_keyframe+empty_moov+default_base_moof'];

export function ffmpegArgs(uri: string, encode: boolean, timeoutMs: number): string[] {
  const rtsp = /^rtsps?:/i.test(uri);
  const us = String(timeoutMs * 1000);
  // RTSP: its own socket timeout option (-rw_timeout does not exist for it on ffmpeg 5.1); HTTP (MJPEG) has no
  // timestamps of its own, so frames are stamped as they arrive.
  const input = rtsp ? ['-rtsp_transport', 'tcp', '-timeout', us] : ['-rw_timeout', us, '-use_wallclock_as_timestamps', '1', '-f', 'mjpeg'];
  const video = encode
    ? ['-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-pix_fmt', 'yuv420p', '-g', '20', '-fps_mode', 'vfr']
    : ['-c:v', 'copy'];
  return ['-hide_banner', '-nostats', '-loglevel', 'info', ...input, '-i', uri, '-map', '0:v:0', '-an', ...video, ...FRAG_FLAGS, 'pipe:1'];
}

export class Mp4Feed {
  init?: Buffer;
  last?: Fragment;
  private child?: ChildProcessWithoutNullStreams;
  private readonly readers = new Set<FeedReader>();
  private readonly endWaiters = new Set<(why: string) => void>();
  private stopped = false;
  /** Whether ffmpeg encodes (set after the first try finds the camera does not send H.264). */
  private encode: boolean;
  private startedAt = 0;
  /** Milliseconds from starting ffmpeg to the first fragment (the bench's "first byte to first frame" on our side). */
  firstFragmentMs?: number;

  constructor(private readonly o: FeedOptions) {
    this.encode = !/^rtsps?:/i.test(o.uri);
  }

  get running(): boolean {
    return !!this.child && !this.stopped;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.child || this.stopped) return;
    this.startedAt = Date.now();
    const child = spawn(this.o.ffmpegPath, ffmpegArgs(this.o.uri, this.encode, this.o.timeoutMs ?? 5000), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let log = '';
    let restarting = false;
    const split = new Mp4Splitter({
      onInit: (init) => {
        this.init = init;
        for (const r of this.readers) r({ init });
      },
      onFragment: (data) => {
        const fragment = { data, at: Date.now() };
        this.firstFragmentMs ??= fragment.at - this.startedAt;
        this.last = fragment;
        for (const r of this.readers) r({ fragment });
      },
    });
    child.stdout.on('data', (chunk: Buffer) => {
      try {
        split.push(chunk);
      } catch (err) {
        this.o.log.warn({ err, uri: redactUri(this.o.uri) }, 'live stream: broken MP4 from ffmpeg; stopping it');
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => {
      log = (log + d.toString()).slice(-4000);
      // The input's codec, first "Video:" line: a camera that does not send H.264 is encoded instead of copied.
      const codec = /Input #0[\s\S]*?Stream #0:\d+[^:]*: Video: (\w+)/.exec(log)?.[1];
      if (codec && codec !== 'h264' && !this.encode && !restarting) {
        restarting = true;
        this.encode = true;
        this.o.log.info({ uri: redactUri(this.o.uri), codec }, 'live stream is not H.264: encoding it');
        child.kill('SIGKILL');
      }
    });
    child.stdin.on('error', () => {});
    child.on('exit', (code, signal) => {
      this.child = undefined;
      if (restarting && !this.stopped) return this.start();
      const why = this.stopped ? 'stopped' : `ffmpeg ended (${signal ?? code}): ${lastLines(log)}`;
      if (!this.stopped) this.o.log.warn({ uri: redactUri(this.o.uri), code, signal, stderr: lastLines(log) }, 'live stream ended');
      this.stopped = true;
      for (const w of this.endWaiters) w(why);
      this.endWaiters.clear();
    });
  }

  /** Adds a reader; it gets the init segment and the last fragment at once when there are any. */
  read(reader: FeedReader): () => void {
    this.readers.add(reader);
    if (this.init) reader({ init: this.init });
    if (this.init && this.last) reader({ fragment: this.last });
    return () => this.readers.delete(reader);
  }

  /** Resolves with why the feed ended (camera gone, stopped). */
  ended(): Promise<string> {
    if (this.stopped && !this.child) return Promise.resolve('stopped');
    return new Promise((r) => this.endWaiters.add(r));
  }

  /** Resolves once the first fragment is there; rejects with ffmpeg's words when it ends first or after `ms`. */
  async ready(ms: number): Promise<void> {
    if (this.last) return;
    let off: (() => void) | undefined;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => (off = this.read((p) => 'fragment' in p && resolve()))),
        this.ended().then((why) => Promise.reject(new Error(why))),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no picture from the camera within ${ms} ms`)), ms))),
      ]);
    } finally {
      off?.();
      clearTimeout(timer);
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const child = this.child;
    if (!child) return;
    child.kill('SIGTERM');
    // ffmpeg waiting on a dead camera may ignore SIGTERM until its socket times out.
    setTimeout(() => child.exitCode === null && child.signalCode === null && child.kill('SIGKILL'), 2000).unref();
  }
}

function lastLines(s: string): string {
  return s.trim().split(/\r?\n/).slice(-2).join(' | ').slice(0, 300);
}
