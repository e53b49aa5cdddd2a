// One Mp4Feed per camera, shared by all who read it and counted: the ffmpeg starts with the first reader and is
// stopped when the last one lets go (a live viewer closing the page, the clip recorder dropping a camera).
import { Mp4Feed, type FeedOptions } from './mp4-feed.ts';

export interface FeedLease {
  feed: Mp4Feed;
  release(): void;
}

export class FeedPool {
  private readonly feeds = new Map<string, { feed: Mp4Feed; holders: number }>();
  /** Told of every feed started (the clip recorder keeps a ring buffer of each). */
  readonly started = new Set<(cameraId: string, feed: Mp4Feed) => void>();

  constructor(private readonly make: (o: Pick<FeedOptions, 'uri'>) => Mp4Feed) {}

  /** The camera's running feed (started from `uri` when there is none, or the last one ended). */
  acquire(cameraId: string, uri: string): FeedLease {
    let entry = this.feeds.get(cameraId);
    if (!entry || !entry.feed.running) {
      entry?.feed.stop();
      const feed = this.make({ uri });
      entry = { feed, holders: 0 };
      this.feeds.set(cameraId, entry);
      for (const f of this.started) f(cameraId, feed);
      feed.start();
      const mine = entry;
      void feed.ended().then(() => {
        if (this.feeds.get(cameraId) === mine) this.feeds.delete(cameraId);
      });
    }
    entry.holders++;
    const held = entry;
    let released = false;
    return {
      feed: held.feed,
      release: () => {
        if (released) return;
        released = true;
        if (--held.holders > 0) return;
        held.feed.stop();
        if (this.feeds.get(cameraId) === held) this.feeds.delete(cameraId);
      },
    };
  }

  /** Cameras with a running ffmpeg (for health, metrics and tests). */
  running(): string[] {
    return [...this.feeds.entries()].filter(([, e]) => e.feed.running).map(([id]) => id);
  }

  stopAll(): void {
    for (const e of this.feeds.values()) e.feed.stop();
    this.feeds.clear();
  }
}
