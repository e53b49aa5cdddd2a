// Deadlines, allowed moves and escalation levels of repair tickets, in milliseconds.
import { describe, expect, it } from 'vitest';
import { canMove, escalationLevel, escalationSteps, slaFor } from './ticket-rules.ts';

const sla = { repairSlaKey: 4 * 3600_000, repairSlaNormal: 24 * 3600_000, repairSlaRemote: 72 * 3600_000, escalationLevel2Factor: 2 };

describe('ticket rules', () => {
  it('when a camera has a priority, then its SLA is that class’s', () => {
    expect(slaFor('key', sla)).toBe(4 * 3600_000);
    expect(slaFor('normal', sla)).toBe(24 * 3600_000);
    expect(slaFor('remote', sla)).toBe(72 * 3600_000);
  });

  it('when time passes, then the level is 0 before the deadline, 1 from it, 2 from factor × SLA', () => {
    const t = { openedAt: 0, deadline: 1000, state: 'open' as const };
    expect(escalationLevel(t, 999, 2)).toBe(0);
    expect(escalationLevel(t, 1000, 2)).toBe(1);
    expect(escalationLevel(t, 1999, 2)).toBe(1);
    expect(escalationLevel(t, 2000, 2)).toBe(2);
    expect(escalationLevel(t, 3000, 3)).toBe(2);
    expect(escalationLevel(t, 1000, 1)).toBe(2);
    expect(escalationLevel({ ...t, state: 'resolved' }, 5000, 2)).toBe(0);
  });

  it('when the tick comes late, then every level in between is taken once', () => {
    expect(escalationSteps(0, 2)).toEqual([1, 2]);
    expect(escalationSteps(1, 2)).toEqual([2]);
    expect(escalationSteps(2, 2)).toEqual([]);
    expect(escalationSteps(1, 1)).toEqual([]);
  });

  it('when people move tickets, then only the life cycle’s moves are allowed', () => {
    expect(canMove('open', 'dispatched')).toBe(true);
    expect(canMove('dispatched', 'in_progress')).toBe(true);
    expect(canMove('in_progress', 'resolved')).toBe(true);
    expect(canMove('resolved', 'closed')).toBe(true);
    expect(canMove('open', 'closed')).toBe(false);
    expect(canMove('closed', 'open')).toBe(false);
  });
});
