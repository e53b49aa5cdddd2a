// Where camera observations go: health samples and camera events batched into PostgreSQL, then published on
// the bus (healthSample for analytics' offline detector, cameraEvent, faceCapture for snapshots on motion).
import { BatchWriter } from '../../core/db/batch-writer.ts';
import { isRowRefused } from '../../core/db/db.ts';
import { CameraHealthRepository } from '../../core/db/repositories/camera-health.repository.ts';
import { CameraEventsRepository } from '../../core/db/repositories/camera-events.repository.ts';
import type { ServiceContext } from '../../core/service.ts';
import type { CameraEvent, CameraHealthSample, FaceCapture } from '../../core/events/index.ts';

export class CameraSinks {
  private readonly health: BatchWriter<CameraHealthSample>;
  private readonly events: BatchWriter<CameraEvent>;
  /** `refused`: observations the database would not store (a device's garbage that got this far), logged and dropped. */
  readonly counts = { samples: 0, events: 0, captures: 0, refused: 0 };

  constructor(private readonly ctx: ServiceContext) {
    const { config, db, log } = ctx;
    // A refused observation must not hold back the batch it came in (the writer would retry it for ever).
    const common = {
      maxBatch: config.batchSize,
      maxDelayMs: config.batchDelay,
      maxBuffer: config.writeBufferMax,
      log,
      refused: isRowRefused,
    };
    const healthRepo = new CameraHealthRepository(db);
    const eventsRepo = new CameraEventsRepository(db);
    this.health = new BatchWriter({ ...common, name: 'camera_health', write: async (b) => void (await healthRepo.insertMany(b)) });
    this.events = new BatchWriter({ ...common, name: 'camera_events', write: async (b) => void (await eventsRepo.insertMany(b)) });
  }

  get degraded(): boolean {
    return this.health.degraded || this.events.degraded;
  }

  /** Stored first, then published: a sample on the bus is always in the database. */
  async sample(s: CameraHealthSample): Promise<void> {
    if (!(await this.stored(this.health.add(s), s.cameraId))) return;
    this.counts.samples++;
    await this.ctx.bus.publish('healthSample', { cameraId: s.cameraId }, s);
  }

  async event(e: CameraEvent): Promise<void> {
    if (!(await this.stored(this.events.add(e), e.cameraId))) return;
    this.counts.events++;
    await this.ctx.bus.publish('cameraEvent', { cameraId: e.cameraId }, e);
  }

  /** False when the database refused the observation (logged with the camera); other errors are thrown. */
  private async stored(added: Promise<void>, cameraId: string): Promise<boolean> {
    try {
      await added;
      return true;
    } catch (err) {
      if (!isRowRefused(err)) throw err;
      this.counts.refused++;
      this.ctx.log.warn({ cameraId, err }, 'camera observation refused by the database; dropped');
      return false;
    }
  }

  async capture(c: FaceCapture): Promise<void> {
    this.counts.captures++;
    await this.ctx.bus.publish('faceCapture', { source: 'camera' }, c);
  }

  async close(): Promise<void> {
    await this.health.close();
    await this.events.close();
  }
}
