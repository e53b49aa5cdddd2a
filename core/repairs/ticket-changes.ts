// People's changes to repair tickets (dispatch, work, resolve, close, assign, note), recorded with who and when and
// published on the bus; shared by the gateway (people) and analytics (the camera's own resolution and escalation).
import type { RepairTicket, TicketState } from '../events/index.ts';
import type { Scope } from '../auth/scope.ts';
import type { ServiceContext } from '../service.ts';
import { RequestError } from '../errors.ts';
import { RepairsRepository, type TicketRow } from '../db/repositories/repairs.repository.ts';
import { canMove } from './ticket-rules.ts';

export interface TicketChange {
  state?: TicketState;
  unit?: string;
  note?: string;
}

export class TicketChanges {
  readonly repo: RepairsRepository;
  constructor(private readonly ctx: Pick<ServiceContext, 'db' | 'bus' | 'clock'>) {
    this.repo = new RepairsRepository(ctx.db);
  }

  /** A person's change: state, assignment and/or a note, checked against the allowed moves and the person's scope. */
  async change(id: string, change: TicketChange, actor: string, scope: Scope = {}): Promise<TicketRow> {
    const now = this.ctx.clock.now();
    await this.ctx.db.tx(async (q) => {
      const t = await this.repo.lock(q, id, scope);
      if (!t) throw new RequestError(404, `ticket ${id} not found`);
      if (change.state && change.state !== t.state && !canMove(t.state, change.state)) {
        throw new RequestError(409, `cannot move a ${t.state} ticket to ${change.state}`, 'body.state');
      }
      if (change.unit && !(await this.repo.unitInDistrict(q, change.unit, t.districtId))) {
        throw new RequestError(400, `${change.unit} is not a maintenance unit of district ${t.districtId ?? '(none)'}`, 'body.unit');
      }
      const to = change.state && change.state !== t.state ? change.state : undefined;
      await this.repo.update(q, id, { state: to, unitId: change.unit, at: now });
      const notes = [change.unit && change.unit !== t.unitId ? `assigned to ${change.unit}` : '', change.note ?? '']
        .filter(Boolean)
        .join('; ');
      await this.repo.addHistory(q, id, { ts: now, actor, from: to ? t.state : undefined, to, note: notes || undefined });
    });
    await this.publish(id, now);
    return (await this.repo.get(id, now))!;
  }

  async publish(ticketId: string, now: Date = this.ctx.clock.now()): Promise<void> {
    const t = await this.repo.get(ticketId, now);
    if (t) await this.ctx.bus.publish('repairUpdated', { ticketId }, toEvent(t));
  }
}

export function toEvent(t: TicketRow): RepairTicket {
  return {
    ticketId: t.ticketId,
    cameraId: t.cameraId,
    outageId: t.outageId,
    cause: t.cause,
    state: t.state,
    ...(t.district ? { district: t.district } : {}),
    ...(t.unit ? { unit: t.unit } : {}),
    openedAt: t.openedAt,
    deadline: t.deadline,
    escalationLevel: t.escalationLevel,
    ...(t.resolvedAt ? { resolvedAt: t.resolvedAt } : {}),
    ...(t.repairSeconds !== undefined ? { repairSeconds: t.repairSeconds } : {}),
  };
}
