// Asks the face service to enrol a person, over the bus: the photos go to DATA_DIR as files, the request names
// them, and the answer (with each photo's verdict) comes back on faceEnrolReply. The gateway loads no face model.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ServiceContext } from '../../../core/service.ts';
import type { FaceEnrolReply } from '../../../core/events/face-enrol.ts';
import { DataFiles } from '../../../core/files/data-files.ts';

export class EnrolTimeoutError extends Error {}

export interface EnrolAsk {
  watchlistId: string;
  name: string;
  externalId?: string;
  note?: string;
  photos: { filename: string; data: Uint8Array }[];
}

export class EnrolClient {
  private readonly waiting = new Map<string, (r: FaceEnrolReply) => void>();
  private readonly files: DataFiles;

  private constructor(private readonly ctx: Pick<ServiceContext, 'bus' | 'clock' | 'config'>) {
    this.files = new DataFiles(ctx.config.dataDir);
  }

  /** Subscribes to the answers (every gateway sees all of them and keeps its own). */
  static async start(ctx: Pick<ServiceContext, 'bus' | 'clock' | 'config'>): Promise<EnrolClient> {
    const client = new EnrolClient(ctx);
    await ctx.bus.subscribe('faceEnrolReply', async (r) => client.waiting.get(r.requestId)?.(r));
    return client;
  }

  /** The face service's answer; EnrolTimeoutError when none came within FACE_ENROL_TIMEOUT. */
  async enrol(ask: EnrolAsk): Promise<FaceEnrolReply> {
    const requestId = randomUUID();
    const photos = ask.photos.map((p, i) => ({ filename: p.filename, path: path.join('faces', 'requests', `${requestId}-${i}.img`) }));
    await Promise.all(photos.map((p, i) => this.files.write(p.path, ask.photos[i].data)));
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<FaceEnrolReply>((resolve, reject) => {
      this.waiting.set(requestId, resolve);
      timer = setTimeout(
        () => reject(new EnrolTimeoutError(`the face service did not answer within ${this.ctx.config.faceEnrolTimeout} ms`)),
        this.ctx.config.faceEnrolTimeout,
      );
    });
    try {
      const { photos: _, ...person } = ask;
      await this.ctx.bus.publish(
        'faceEnrolRequest',
        { watchlistId: ask.watchlistId },
        { requestId, ts: this.ctx.clock.now().toISOString(), ...person, photos },
      );
      return await answered;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(requestId);
      // Gone on any outcome: a request answered late finds no photos and stores nobody.
      await this.files.remove(photos.map((p) => p.path));
    }
  }
}
