// Outages and the repair tickets they open (限期整改: rectification within a deadline).
import { Type, type Static } from '@sinclair/typebox';
import { Id, Literals, Timestamp, Uuid } from './common.ts';

export const OUTAGE_CAUSES = ['unreachable', 'auth', 'no_video', 'black', 'frozen', 'covered', 'low_quality'] as const;
export const OutageCause = Literals(OUTAGE_CAUSES);
export type OutageCause = Static<typeof OutageCause>;

export const Outage = Type.Object(
  {
    outageId: Uuid,
    cameraId: Id,
    start: Timestamp,
    end: Type.Optional(Timestamp),
    cause: OutageCause,
  },
  { $id: 'Outage' },
);
export type Outage = Static<typeof Outage>;

export const TICKET_STATES = ['open', 'dispatched', 'in_progress', 'resolved', 'closed'] as const;
export const TicketState = Literals(TICKET_STATES);
export type TicketState = Static<typeof TicketState>;

export const RepairTicket = Type.Object(
  {
    ticketId: Uuid,
    cameraId: Id,
    outageId: Uuid,
    cause: OutageCause,
    state: TicketState,
    district: Type.Optional(Type.String()),
    unit: Type.Optional(Type.String({ description: 'Maintenance unit' })),
    openedAt: Timestamp,
    deadline: Timestamp,
    escalationLevel: Type.Integer({ minimum: 0, maximum: 2 }),
    resolvedAt: Type.Optional(Timestamp),
    repairSeconds: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { $id: 'RepairTicket' },
);
export type RepairTicket = Static<typeof RepairTicket>;
