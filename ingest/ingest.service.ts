// The edge ingest service: MQTT door intake and ONVIF cameras — discovery, inventory,
// PullPoint events, heartbeats and stream checks. Reports `ingest` in the health registry.
import type { Service, ServiceContext } from '../core/service.ts';
import { DoorIntake } from './doors/door-intake.ts';
import { CaptureStore } from './captures/capture-store.ts';
import { CameraFleet, type CameraFleetOptions } from './onvif/camera-fleet.ts';

export class IngestService implements Service {
  readonly name = 'ingest';
  readonly doors: DoorIntake;
  readonly cameras: CameraFleet;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: ServiceContext, cameras: CameraFleetOptions = {}) {
    this.doors = new DoorIntake(ctx);
    this.cameras = new CameraFleet(ctx, cameras);
  }

  async start(): Promise<void> {
    this.ctx.health.register('ingest', () => {
      const doors = this.doors.stats();
      return { degraded: doors.degraded || this.cameras.degraded, doors, cameras: this.cameras.stats() };
    });
    await this.doors.start();
    await this.cameras.start();
    this.scheduleSweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.cameras.stop();
    await this.doors.stop();
  }

  /** Face and snapshot files older than RETENTION_FACES go, checked on the maintenance period. */
  private scheduleSweep(): void {
    const store = new CaptureStore(this.ctx.config.dataDir);
    const sweep = () =>
      store.sweep(this.ctx.clock.now(), this.ctx.config.retentionFaces).catch((err) => this.ctx.log.warn({ err: String(err) }, 'capture sweep failed'));
    void sweep();
    this.sweepTimer = setInterval(sweep, this.ctx.config.maintenanceInterval);
    this.sweepTimer.unref();
  }
}
