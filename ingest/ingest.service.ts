// The edge ingest service: MQTT door intake and ONVIF cameras — discovery, inventory,
// PullPoint events, heartbeats and stream checks. Reports `ingest` in the health registry.
import { hostname } from 'node:os';
import type { Service, ServiceContext } from '../core/service.ts';
import { DoorIntake } from './doors/door-intake.ts';
import { CaptureStore } from './captures/capture-store.ts';
import { CameraFleet, type CameraFleetOptions } from './onvif/camera-fleet.ts';
import { GbPlatform } from './gb28181/gb-platform.ts';
import { CameraLeases } from './fleet/camera-leases.ts';

export class IngestService implements Service {
  readonly name = 'ingest';
  readonly doors: DoorIntake;
  readonly cameras: CameraFleet;
  /** GB/T 28181 devices (GB_SIP_PORT; 0 = off). */
  readonly gb: GbPlatform;
  /** Set when several instances share the cameras (CAMERA_SHARING). */
  readonly leases?: CameraLeases;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    cameras: CameraFleetOptions = {},
  ) {
    this.doors = new DoorIntake(ctx);
    const { cameraSharing, mqttClientId } = ctx.config;
    if (cameraSharing === 'on' || (cameraSharing === 'auto' && ctx.db.backend !== 'embedded')) {
      // The instance is named like its MQTT session: stable across restarts, MQTT_CLIENT_ID tells copies on one host apart.
      this.leases = new CameraLeases(ctx, { instance: mqttClientId ?? `gridwatch-ingest-${hostname()}` });
    }
    this.cameras = new CameraFleet(ctx, { ...cameras, share: this.leases });
    this.gb = new GbPlatform(ctx);
  }

  async start(): Promise<void> {
    this.ctx.health.register('ingest', () => {
      const doors = this.doors.stats();
      return {
        degraded: doors.degraded || this.cameras.degraded || !!this.leases?.degraded,
        doors,
        cameras: this.cameras.stats(),
        leases: this.leases?.stats(),
      };
    });
    await this.doors.start();
    await this.cameras.start();
    this.ctx.health.register('gb28181', () => this.gb.stats());
    await this.gb.start();
    this.scheduleSweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.sweepTimer);
    await this.gb.stop();
    await this.cameras.stop();
    await this.doors.stop();
  }

  /** Face and snapshot files older than RETENTION_FACES go, checked on the maintenance period. */
  private scheduleSweep(): void {
    const store = new CaptureStore(this.ctx.config.dataDir);
    const sweep = () =>
      store.sweep(this.ctx.clock.now(), this.ctx.config.retentionFaces).catch((err) => this.ctx.log.warn({ err }, 'capture sweep failed'));
    void sweep();
    this.sweepTimer = setInterval(sweep, this.ctx.config.maintenanceInterval);
    this.sweepTimer.unref();
  }
}
