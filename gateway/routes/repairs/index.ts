// /api/v1/repairs — repair tickets in your district scope: list with filters (state, overdue, district, unit), one ticket
// with its camera, deadline, escalation level and history; change its state or assignment, or add a note.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { TicketState, Uuid } from '../../../core/events/index.ts';
import { TicketChanges, type TicketChange } from '../../../core/repairs/ticket-changes.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf } from '../../schemas/common.ts';
import { TicketItem } from './repairs.schema.ts';

const ListQuery = Type.Object(
  {
    ...PageQuery,
    state: Type.Optional(TicketState),
    overdue: Type.Optional(Type.Boolean({ description: 'true: only active tickets past their deadline' })),
    district: Type.Optional(Type.String({ maxLength: 128 })),
    unit: Type.Optional(Type.String({ maxLength: 128 })),
    camera: Type.Optional(Type.String({ maxLength: 128 })),
  },
  { additionalProperties: false },
);
const Change = Type.Object(
  {
    state: Type.Optional(TicketState),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Maintenance unit of the ticket’s district' })),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false, minProperties: 1 },
);
const Note = Type.Object({ note: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const IdParams = Type.Object({ id: Uuid });

const repairs: FastifyPluginAsyncTypebox = async (app) => {
  // Repairs are district business: monitors and supervisors within their districts, admins everywhere.
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'supervisor'));
  const service = new TicketChanges(app.ctx);
  const notFound = { error: 'Not Found', message: 'no such ticket in your scope' };

  app.get(
    '/',
    {
      schema: {
        tags: ['repairs'],
        summary: 'Repair tickets in your scope',
        security: Bearer,
        querystring: ListQuery,
        response: { 200: Paged(TicketItem), 400: ErrorBody },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const { state, overdue, district, unit, camera } = request.query;
      const r = await service.repo.list(
        { state, overdue, district, unit, camera, limit, offset },
        app.ctx.clock.now(),
        scopeOf(request.user),
      );
      return { items: r.items, page, limit, total: r.total };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['repairs'],
        summary: 'One ticket with its camera and history',
        security: Bearer,
        params: IdParams,
        response: { 200: TicketItem, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) =>
      (await service.repo.get(request.params.id, app.ctx.clock.now(), scopeOf(request.user))) ?? reply.code(404).send(notFound),
  );

  // A refused change throws a RequestError (status, field, message): the error handler answers it as it stands.
  const change = (id: string, body: TicketChange, user: { username: string } & Parameters<typeof scopeOf>[0]) =>
    service.change(id, body, user.username, scopeOf(user));

  app.patch(
    '/:id',
    {
      schema: {
        tags: ['repairs'],
        summary: 'Change state (dispatched, in_progress, resolved, closed), assign a unit, or add a note — recorded with who and when',
        security: Bearer,
        params: IdParams,
        body: Change,
        response: { 200: TicketItem, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => change(request.params.id, request.body, request.user),
  );

  app.post(
    '/:id/notes',
    {
      schema: {
        tags: ['repairs'],
        summary: 'Add a note to the ticket’s history',
        security: Bearer,
        params: IdParams,
        body: Note,
        response: { 200: TicketItem, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
      },
    },
    async (request) => change(request.params.id, { note: request.body.note }, request.user),
  );
};
export default repairs;
