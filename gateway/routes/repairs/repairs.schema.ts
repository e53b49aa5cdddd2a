// The repairs API's contract: a repair ticket as the API answers it — the ticket, whether it is overdue, its unit's
// names, and (alone) its camera and history. The dashboard takes its types from here.
import { Type } from '@sinclair/typebox';
import { RepairTicket } from '../../../core/events/index.ts';

export const TicketHistory = Type.Object({
  ts: Type.String({ format: 'date-time' }),
  actor: Type.String(),
  from: Type.Optional(Type.String()),
  to: Type.Optional(Type.String()),
  note: Type.Optional(Type.String()),
});
export const TicketCamera = Type.Object({
  id: Type.String(),
  name: Type.String(),
  nameZh: Type.Optional(Type.String()),
  priority: Type.String(),
  status: Type.String(),
  cellId: Type.Optional(Type.String()),
  districtId: Type.Optional(Type.String()),
  lon: Type.Optional(Type.Number()),
  lat: Type.Optional(Type.Number()),
});
export const TicketItem = Type.Composite([
  Type.Omit(RepairTicket, ['$id']),
  Type.Object({
    overdue: Type.Boolean({ description: 'Active and past its deadline' }),
    unitName: Type.Optional(Type.String()),
    unitNameZh: Type.Optional(Type.String()),
    closedAt: Type.Optional(Type.String()),
    updatedAt: Type.String(),
    camera: Type.Optional(TicketCamera),
    history: Type.Optional(Type.Array(TicketHistory)),
  }),
]);
