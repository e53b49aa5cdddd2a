// Applies batches of detector inputs to the cameras' shared state in one transaction (rows locked, so several
// workers on a shared subscription never act twice), records transitions, opens and closes outages and tickets,
// then publishes what changed and raises or resolves the outage alerts.
import { randomUUID } from 'node:crypto';
import type { CameraStatusChange, OutageCause } from '../../core/events/index.ts';
import type { ServiceContext } from '../../core/service.ts';
import { OutagesRepository, type CameraStateRow, type StatusChangeRow } from '../../core/db/repositories/outages.repository.ts';
import { step, failuresFor, isWatching, type DetectorInput, type DetectorParams, type DetectorState } from './camera-state.ts';
import type { RepairsService } from '../repairs/repairs.service.ts';
import type { AlertsService } from '../alerts/alerts.service.ts';
import type { GridPlaces } from '../alerts/grid-places.ts';

export interface TimedInput {
  cameraId: string;
  ts: number;
  input: DetectorInput;
}

interface AfterCommit {
  changes: StatusChangeRow[];
  tickets: string[];
  opened: { cameraId: string; outageId: string; cause: OutageCause; at: number; ticketId?: string; row: CameraStateRow }[];
  closed: { outageId: string }[];
  watchingChanged: boolean;
}

const QUALITY: ReadonlySet<OutageCause> = new Set(['black', 'frozen', 'covered', 'low_quality']);

export class StatusProcessor {
  readonly repo: OutagesRepository;
  private readonly known = new Set<string>();
  processed = 0;
  /** Called after a batch that changed whether some camera is watching (coverage recomputes). */
  onWatchingChanged?: () => void;

  constructor(
    private readonly ctx: Pick<ServiceContext, 'db' | 'bus' | 'clock' | 'config' | 'log'>,
    private readonly repairs: RepairsService,
    private readonly alerts: AlertsService,
    private readonly places: GridPlaces,
  ) {
    this.repo = new OutagesRepository(ctx.db);
  }

  private params(priority: string): DetectorParams {
    const c = this.ctx.config;
    return { failuresToOffline: failuresFor(priority, c), stableForMs: c.repairStableFor, flapThreshold: c.flapThreshold, flapWindowMs: c.flapWindow };
  }

  /** Processes one batch; resolves when it is committed and its consequences published. */
  async process(items: readonly TimedInput[], opts: { skipLocked?: boolean } = {}): Promise<void> {
    if (items.length === 0) return;
    const byCamera = new Map<string, TimedInput[]>();
    for (const it of items) {
      let list = byCamera.get(it.cameraId);
      if (!list) byCamera.set(it.cameraId, (list = []));
      list.push(it);
    }
    const fresh = [...byCamera.keys()].filter((id) => !this.known.has(id));
    if (fresh.length > 0) for (const id of await this.repo.ensureStates(fresh)) this.known.add(id);

    const after: AfterCommit = { changes: [], tickets: [], opened: [], closed: [], watchingChanged: false };
    await this.ctx.db.tx(async (q) => {
      const rows = await this.repo.lockStates(q, [...byCamera.keys()], opts.skipLocked);
      const dirty: CameraStateRow[] = [];
      for (const row of rows) {
        const inputs = byCamera.get(row.cameraId)!.sort((a, b) => a.ts - b.ts);
        let s: DetectorState = { ...row, outageOpen: row.outageId !== undefined };
        const wasWatching = isWatching(s);
        let changed = false;
        for (const it of inputs) {
          // A sample older than what this camera has already seen (redelivery, another worker's later one) changes nothing.
          if (it.input.type !== 'tick' && s.lastTs !== undefined && it.ts < s.lastTs) continue;
          const r = step(s, it.input, it.ts, this.params(row.priority));
          const before = s;
          s = r.state;
          if (r.effects.length > 0 || s.failures !== before.failures || s.quality !== before.quality || s.toggles.length !== before.toggles.length) changed = true;
          for (const e of r.effects) {
            if (e.type === 'status') {
              after.changes.push({ cameraId: row.cameraId, ts: e.at, from: e.from, to: e.to, reason: e.reason });
            } else if (e.type === 'outageStart') {
              const o = await this.repo.open(q, { outageId: randomUUID(), cameraId: row.cameraId, start: new Date(e.at), cause: e.cause });
              row.outageId = o.outageId;
              if (o.created) {
                const ticketId = await this.repairs.openFor(q, { cameraId: row.cameraId, outageId: o.outageId, cause: e.cause, priority: row.priority, districtId: row.districtId, at: new Date(e.at) });
                if (ticketId) after.tickets.push(ticketId);
                after.opened.push({ cameraId: row.cameraId, outageId: o.outageId, cause: e.cause, at: e.at, ticketId, row });
              }
            } else {
              const o = await this.repo.close(q, row.cameraId, new Date(e.backSince));
              row.outageId = undefined;
              if (o) {
                const ticketId = await this.repairs.resolveFor(q, { outageId: o.outageId, start: new Date(o.start), back: new Date(e.backSince), at: new Date(e.at) });
                if (ticketId) after.tickets.push(ticketId);
                after.closed.push({ outageId: o.outageId });
              }
            }
          }
        }
        if (isWatching(s) !== wasWatching) after.watchingChanged = true;
        if (changed) dirty.push({ ...row, ...s, outageId: row.outageId });
      }
      await this.repo.saveStates(q, dirty);
      await this.repo.insertHistory(q, after.changes);
    });
    this.processed += items.length;
    await this.afterCommit(after);
  }

  private async afterCommit(a: AfterCommit): Promise<void> {
    for (const c of a.changes) {
      const msg: CameraStatusChange = { cameraId: c.cameraId, ts: new Date(c.ts).toISOString(), from: c.from as CameraStatusChange['from'], to: c.to as CameraStatusChange['to'], reason: c.reason };
      await this.ctx.bus.publish('cameraStatus', { cameraId: c.cameraId }, msg);
    }
    for (const o of a.opened) {
      const quality = QUALITY.has(o.cause);
      await this.alerts.raise({
        kind: o.cause === 'covered' ? 'camera_tamper' : quality ? 'video_quality' : 'camera_offline',
        severity: o.row.priority === 'key' ? 'high' : 'medium',
        title: quality ? `Camera ${o.cameraId}: picture ${o.cause}` : `Camera ${o.cameraId} offline (${o.cause})`,
        subjectKind: 'camera',
        subjectId: o.cameraId,
        place: await this.places.of(o.row.cellId, o.row.districtId),
        evidence: { outageId: o.outageId, cause: o.cause, since: new Date(o.at).toISOString(), ticketId: o.ticketId },
        dedupKey: `outage:${o.outageId}`,
        ts: new Date(o.at).toISOString(),
      });
    }
    for (const o of a.closed) {
      for (const alert of await this.alerts.repo.resolveByKey(`outage:${o.outageId}`)) await this.alerts.publishUpdate(alert);
    }
    for (const id of a.tickets) await this.repairs.publish(id);
    if (a.watchingChanged) this.onWatchingChanged?.();
  }

  /** Recovering and flapping cameras that stopped reporting are still declared stable on time. */
  async tick(now: Date = this.ctx.clock.now()): Promise<void> {
    const ids = await this.repo.dueForStability(new Date(now.getTime() - this.ctx.config.repairStableFor));
    if (ids.length > 0) await this.process(ids.map((cameraId) => ({ cameraId, ts: now.getTime(), input: { type: 'tick' } })), { skipLocked: true });
  }
}
