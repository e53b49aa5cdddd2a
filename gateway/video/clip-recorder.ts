// Event clips: the seconds before and after a forced-door, tamper or watch-list alert, from the cameras that see it.
// Every feed the pool runs (live viewers, clips being recorded) keeps a short ring buffer of its fragments, so a
// clip of a camera already watched starts CLIP_BEFORE ahead of the alert; a camera nobody watched is started at the
// alert (on demand: its clip starts with its first key frame after the alert). The fragments are remuxed (no
// re-encode) into one MP4 under DATA_DIR/clips/<day>/ and the row in alert_clips says where.
import { spawn } from 'node:child_process';
import { rename, rm, stat } from 'node:fs/promises';
import type { Alert } from '../../core/events/alert.ts';
import { alertCameras, CLIP_KINDS } from '../../core/events/alert-cameras.ts';
import type { Logger } from '../../core/log.ts';
import type { AlertClipsRepository } from '../../core/db/repositories/alert-clips.repository.ts';
import type { DataFiles } from '../../core/files/data-files.ts';
import type { FeedPool } from './feed-pool.ts';
import type { Fragment, Mp4Feed } from './mp4-feed.ts';

interface Ring {
  init?: Buffer;
  /** Fragments with the arrival time of the one before (≈ when their first frame was taken). */
  frags: { f: Fragment; startAt: number }[];
  lastAt: number;
}

export interface ClipRecorderOptions {
  pool: FeedPool;
  /** The URI ffmpeg opens for the camera (credentials inside), undefined when it has no stream. */
  uriOf(cameraId: string): Promise<string | undefined>;
  repo: AlertClipsRepository;
  files: DataFiles;
  ffmpegPath: string;
  beforeMs: number;
  afterMs: number;
  /** Longest wait for the camera's first picture. */
  startTimeoutMs: number;
  log: Pick<Logger, 'info' | 'warn' | 'debug'>;
}

export class ClipRecorder {
  private readonly rings = new Map<Mp4Feed, Ring>();
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly o: ClipRecorderOptions) {
    o.pool.started.add((_cameraId, feed) => this.keep(feed));
  }

  /** Keeps the last CLIP_BEFORE (and one group of pictures more) of a feed while it runs. */
  private keep(feed: Mp4Feed): void {
    const ring: Ring = { frags: [], lastAt: Date.now() };
    this.rings.set(feed, ring);
    const off = feed.read((p) => {
      if ('init' in p) return void (ring.init = p.init);
      ring.frags.push({ f: p.fragment, startAt: ring.lastAt });
      ring.lastAt = p.fragment.at;
      // Keep what starts after now - before, plus the fragment that spans that moment.
      const horizon = p.fragment.at - this.o.beforeMs;
      while (ring.frags.length > 1 && ring.frags[1].startAt <= horizon) ring.frags.shift();
    });
    void feed.ended().then(() => {
      off();
      this.rings.delete(feed);
    });
  }

  /** Records the clips of an alert (of a kind that keeps clips) from each of its cameras; resolves when all are written. */
  handle(a: Pick<Alert, 'alertId' | 'kind' | 'ts' | 'subjectKind' | 'subjectId' | 'evidence'>): Promise<void> {
    if (this.closed || !CLIP_KINDS.has(a.kind)) return Promise.resolve();
    const at = Math.min(Date.parse(a.ts) || Date.now(), Date.now());
    const job = Promise.all(alertCameras(a).map((c) => this.record(a.alertId, c, at))).then(() => {});
    this.pending.add(job);
    void job.finally(() => this.pending.delete(job));
    return job;
  }

  private async record(alertId: string, cameraId: string, at: number): Promise<void> {
    const uri = await this.o.uriOf(cameraId);
    if (!uri) return;
    if (!(await this.o.repo.start(alertId, cameraId, new Date(at - this.o.beforeMs), new Date(at + this.o.afterMs)))) return;
    const lease = this.o.pool.acquire(cameraId, uri);
    try {
      const ring = this.rings.get(lease.feed);
      if (!ring) throw new Error('feed without a ring buffer');
      await lease.feed.ready(this.o.startTimeoutMs);
      // Until the seconds after the event are in: the first fragment that arrives after at + after.
      const end = at + this.o.afterMs;
      await new Promise<void>((resolve, reject) => {
        let off = () => {};
        const timer = setTimeout(() => (off(), resolve()), Math.max(0, end - Date.now()) + this.o.startTimeoutMs);
        off = lease.feed.read((p) => {
          if ('fragment' in p && p.fragment.at >= end) {
            clearTimeout(timer);
            off();
            resolve();
          }
        });
        void lease.feed.ended().then((why) => {
          clearTimeout(timer);
          off();
          if (!ring.frags.some((x) => x.f.at >= at)) reject(new Error(why));
          else resolve();
        });
      });
      const frags = ring.frags.filter((x) => x.f.at > at - this.o.beforeMs && x.startAt <= end);
      if (!ring.init || frags.length === 0) throw new Error('no picture from the camera around the alert');
      const day = new Date(at).toISOString().slice(0, 10);
      const rel = `clips/${day}/${alertId}-${cameraId.replace(/[^\w.-]/g, '_')}.mp4`;
      const bytes = await this.remux(Buffer.concat([ring.init, ...frags.map((x) => x.f.data)]), rel);
      await this.o.repo.ready(alertId, cameraId, {
        file: rel,
        bytes,
        from: new Date(frags[0].startAt),
        to: new Date(frags[frags.length - 1].f.at),
      });
    } catch (err) {
      this.o.log.warn({ alertId, camera: cameraId, err }, 'event clip failed');
      await this.o.repo.failed(alertId, cameraId, (err as Error).message ?? String(err)).catch(() => {});
    } finally {
      lease.release();
    }
  }

  /** Fragmented MP4 → one MP4 with its index in front (plays and seeks at once in a <video>), timestamps from 0. */
  private async remux(fmp4: Buffer, rel: string): Promise<number> {
    const out = this.o.files.resolve(rel);
    const src = await this.o.files.write(`${rel}.fmp4`, fmp4);
    const tmp = `${out}.${process.pid}.tmp.mp4`;
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          this.o.ffmpegPath,
          [
            '-hide_banner',
            '-loglevel',
            'error',
            '-y',
            '-i',
            src,
            '-c',
            'copy',
            '-avoid_negative_ts',
            'make_zero',
            '-movflags',
            '+faststart',
            tmp,
          ],
          { stdio: ['ignore', 'ignore', 'pipe'] },
        );
        let err = '';
        child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-1000)));
        child.on('error', reject);
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg remux (${code}): ${err.trim()}`))));
      });
      await rename(tmp, out);
    } finally {
      await rm(src, { force: true });
      await rm(tmp, { force: true });
    }
    return (await stat(out)).size;
  }

  /** Deletes the clips older than the retention (rows and files); answers how many. */
  async expire(retentionMs: number, now = Date.now()): Promise<number> {
    const files = await this.o.repo.expire(new Date(now - retentionMs));
    await this.o.files.remove(files);
    return files.length;
  }

  /** Waits for the clips being recorded (closing gateway, tests). */
  async settle(): Promise<void> {
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  close(): void {
    this.closed = true;
  }
}
