// Door–camera correlation: a forced or held-open door raises an alert carrying the snapshots of the cameras that
// see the door at that moment; a door used while every camera that sees it is down raises `door_unwatched`.
import path from 'node:path';
import type { DoorEvent } from '../../core/events/index.ts';
import type { ServiceContext } from '../../core/service.ts';
import { fetchCameraSnapshot } from '../../core/credentials/camera-http.ts';
import { DataFiles } from '../../core/files/data-files.ts';
import type { PlacedCamera } from '../../core/db/repositories/coverage.repository.ts';
import type { AlertsService } from '../alerts/alerts.service.ts';
import type { GridPlaces } from '../alerts/grid-places.ts';
import { watching, type CoverageService } from '../coverage/coverage.service.ts';

const ALARMS = { forced_open: 'door_forced', held_open: 'door_held_open' } as const;
const SNAPSHOT_TIMEOUT_MS = 3000;

export interface Snapshot {
  cameraId: string;
  uri?: string;
  /** JPEG saved under DATA_DIR when the camera answered. */
  path?: string;
  error?: string;
}

export class DoorCorrelation {
  constructor(
    private readonly ctx: Pick<ServiceContext, 'db' | 'clock' | 'log' | 'config'>,
    private readonly alerts: AlertsService,
    private readonly places: GridPlaces,
    private readonly coverage: CoverageService,
  ) {}

  async handle(e: DoorEvent): Promise<void> {
    const door = await this.coverage.repo.door(e.doorId);
    if (!door || door.lon === undefined || door.lat === undefined) return;
    const cams = await this.coverage.covering(door.lon, door.lat);
    const up = cams.filter(watching);
    const place = await this.places.of(door.cellId, door.districtId);
    const alarm = e.type in ALARMS ? ALARMS[e.type as keyof typeof ALARMS] : undefined;
    if (alarm) {
      const snapshots = await Promise.all(up.map((c) => this.snapshot(c, e)));
      await this.alerts.raise({
        kind: alarm,
        severity: alarm === 'door_forced' ? 'high' : 'medium',
        title: `${alarm === 'door_forced' ? 'Door forced open' : 'Door held open'}: ${door.name}`,
        titleArgs: { door: door.name },
        subjectKind: 'door',
        subjectId: e.doorId,
        place,
        propertyId: e.propertyId,
        evidence: {
          eventId: e.eventId,
          doorTs: e.ts,
          cameras: cams.map((c) => ({ id: c.id, status: c.status, watching: watching(c) })),
          snapshots,
        },
        dedupKey: `door_event:${e.eventId}`,
        ts: e.ts,
      });
    }
    const down = cams.filter((c) => !watching(c));
    if (cams.length > 0 && up.length === 0 && e.type !== 'door_closed') {
      // One alert per door and set of outages: the door stays unwatched until one of these cameras is back.
      const episode = down
        .map((c) => c.outageId ?? c.status)
        .sort()
        .join(',');
      await this.alerts.raise({
        kind: 'door_unwatched',
        severity: 'high',
        title: `Door used while every camera covering it is down: ${door.name}`,
        titleArgs: { door: door.name },
        subjectKind: 'door',
        subjectId: e.doorId,
        place,
        propertyId: e.propertyId,
        evidence: {
          eventId: e.eventId,
          type: e.type,
          doorTs: e.ts,
          cameras: down.map((c) => ({ id: c.id, status: c.status, quality: c.quality, outageId: c.outageId })),
        },
        dedupKey: `door_unwatched:${e.doorId}:${episode}`,
        ts: e.ts,
      });
    }
  }

  /**
   * Fetches the camera's JPEG snapshot now, the one way snapshots are taken (8 MiB cap, redirects only on the camera's
   * own host, a JPEG or nothing) and kept (atomic write under DATA_DIR); the URI stays in the evidence when it fails.
   */
  private async snapshot(c: PlacedCamera, e: DoorEvent): Promise<Snapshot> {
    if (!c.snapshotUri) return { cameraId: c.id, error: 'no snapshot URI' };
    const shot = await fetchCameraSnapshot(c.snapshotUri, undefined, SNAPSHOT_TIMEOUT_MS);
    if ('error' in shot) return { cameraId: c.id, uri: c.snapshotUri, error: shot.error };
    const rel = path.join('snapshots', e.ts.slice(0, 10), `${e.eventId}-${c.id}.jpg`);
    try {
      await new DataFiles(this.ctx.config.dataDir).write(rel, shot.jpeg);
    } catch (err) {
      return { cameraId: c.id, uri: c.snapshotUri, error: `snapshot not stored: ${(err as Error).message}` };
    }
    return { cameraId: c.id, uri: c.snapshotUri, path: rel };
  }
}
