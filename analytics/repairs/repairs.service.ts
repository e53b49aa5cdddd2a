// Repair tickets (限期整改): opened by outages with a deadline, resolved when the camera is back, escalated when overdue.
// People's changes (dispatch, work, resolve, close) live in core/repairs/ticket-changes.ts, shared with the gateway.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../../core/db/db.ts';
import type { OutageCause } from '../../core/events/index.ts';
import type { ServiceContext } from '../../core/service.ts';
import { RepairsRepository, type TicketRow } from '../../core/db/repositories/repairs.repository.ts';
import { TicketChanges } from '../../core/repairs/ticket-changes.ts';
import { escalationLevel, escalationSteps, slaFor } from '../../core/repairs/ticket-rules.ts';
import type { AlertsService } from '../alerts/alerts.service.ts';
import type { GridPlaces } from '../alerts/grid-places.ts';

export class RepairsService {
  readonly repo: RepairsRepository;
  private readonly changes: TicketChanges;
  constructor(
    private readonly ctx: Pick<ServiceContext, 'db' | 'bus' | 'clock' | 'config' | 'log'>,
    private readonly alerts: AlertsService,
    private readonly places: GridPlaces,
  ) {
    this.repo = new RepairsRepository(ctx.db);
    this.changes = new TicketChanges(ctx);
  }

  /** Opens the outage's ticket inside the caller's transaction; returns its id when it is new. */
  async openFor(
    q: Queryable,
    o: { cameraId: string; outageId: string; cause: OutageCause; priority: string; districtId?: string; at: Date },
  ): Promise<string | undefined> {
    const deadline = new Date(o.at.getTime() + slaFor(o.priority, this.ctx.config));
    const unitId = await this.repo.pickUnit(q, o.districtId);
    return this.repo.create(q, {
      ticketId: randomUUID(),
      cameraId: o.cameraId,
      outageId: o.outageId,
      cause: o.cause,
      districtId: o.districtId,
      unitId,
      openedAt: o.at,
      deadline,
    });
  }

  /** Resolves the outage's ticket inside the caller's transaction; the repair time runs from the outage start to the camera's return. */
  async resolveFor(q: Queryable, o: { outageId: string; start: Date; back: Date; at: Date }): Promise<string | undefined> {
    const seconds = (o.back.getTime() - o.start.getTime()) / 1000;
    return this.repo.resolveForOutage(q, o.outageId, o.at, seconds, `camera back since ${o.back.toISOString()}, stable`);
  }

  /** Escalates every overdue ticket to its due level: one alert per level, whichever worker gets there first. */
  async escalate(now: Date = this.ctx.clock.now()): Promise<number> {
    const factor = this.ctx.config.escalationLevel2Factor;
    let raised = 0;
    for (const t of await this.repo.dueForEscalation(now)) {
      for (const level of escalationSteps(t.level, escalationLevel(t, now.getTime(), factor))) {
        const ticket = await this.repo.get(t.ticketId, now);
        if (!ticket) continue;
        // The alert goes first (its dedup key makes a repeat a no-op), the level after: a crash in between repeats nothing twice.
        const alert = await this.alerts.raise(await this.escalationAlert(ticket, level));
        if (alert) raised++;
        if (
          await this.repo.raiseLevel(
            t.ticketId,
            level,
            now,
            level === 1 ? 'overdue: supervision order (level 1)' : 'overdue: public notice (level 2)',
          )
        ) {
          await this.publish(t.ticketId, now);
        }
      }
    }
    return raised;
  }

  publish(ticketId: string, now: Date = this.ctx.clock.now()): Promise<void> {
    return this.changes.publish(ticketId, now);
  }

  private async escalationAlert(t: TicketRow, level: 1 | 2) {
    const place = await this.places.of(t.camera?.cellId, t.district);
    const overdueBy = Math.round((this.ctx.clock.now().getTime() - Date.parse(t.deadline)) / 1000);
    return {
      kind: level === 1 ? ('repair_overdue' as const) : ('repair_escalated' as const),
      severity: level === 1 ? ('high' as const) : ('critical' as const),
      title:
        level === 1
          ? `Repair overdue: camera ${t.camera?.name ?? t.cameraId} (supervision order to district ${t.district ?? '?'})`
          : `Repair escalated: camera ${t.camera?.name ?? t.cameraId} (public notice to city supervisors)`,
      titleArgs: { camera: t.camera?.name ?? t.cameraId, district: t.district ?? '?' },
      subjectKind: 'ticket' as const,
      subjectId: t.ticketId,
      place,
      evidence: {
        ticketId: t.ticketId,
        cameraId: t.cameraId,
        level,
        audience: level === 1 ? 'district' : 'city',
        deadline: t.deadline,
        overdueSeconds: overdueBy,
        unit: t.unit,
      },
      dedupKey: `repair:${t.ticketId}:level${level}`,
    };
  }
}
