// Pure rules of a repair ticket: its deadline, which state changes are allowed, and its escalation level at a time.
import type { CameraPriority, TicketState } from '../events/index.ts';

export interface SlaConfig {
  repairSlaKey: number;
  repairSlaNormal: number;
  repairSlaRemote: number;
  escalationLevel2Factor: number;
}

export function slaFor(priority: CameraPriority | string, c: SlaConfig): number {
  if (priority === 'key') return c.repairSlaKey;
  if (priority === 'remote') return c.repairSlaRemote;
  return c.repairSlaNormal;
}

/** Forward moves people may make; `resolved` may also come from the camera itself, `closed` only after resolved. */
const NEXT: Record<TicketState, readonly TicketState[]> = {
  open: ['dispatched', 'in_progress', 'resolved'],
  dispatched: ['in_progress', 'resolved', 'open'],
  in_progress: ['resolved', 'dispatched'],
  resolved: ['closed', 'in_progress'],
  closed: [],
};

export function canMove(from: TicketState, to: TicketState): boolean {
  return NEXT[from].includes(to);
}

export const ACTIVE_STATES: readonly TicketState[] = ['open', 'dispatched', 'in_progress'];

/**
 * Escalation level of a ticket at `now`: 0 before its deadline, 1 from the deadline (supervision order),
 * 2 from `factor` × SLA after opening (public notice). Resolved and closed tickets do not escalate further.
 */
export function escalationLevel(t: { openedAt: number; deadline: number; state: TicketState }, now: number, factor: number): 0 | 1 | 2 {
  if (!ACTIVE_STATES.includes(t.state)) return 0;
  const sla = t.deadline - t.openedAt;
  if (now >= t.openedAt + factor * sla) return 2;
  if (now >= t.deadline) return 1;
  return 0;
}

/** The escalation steps to take now: every level above the ticket's current one up to its due level (one alert each). */
export function escalationSteps(current: number, due: number): (1 | 2)[] {
  const out: (1 | 2)[] = [];
  for (let l = current + 1; l <= due; l++) out.push(l as 1 | 2);
  return out;
}
