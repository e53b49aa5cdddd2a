// /api/v1/door-events — door events by compound, door, type and time range, only for compounds in your scope.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { DataFiles } from '../../../core/files/data-files.ts';
import { sendDataFile } from '../../http/send-data-file.ts';
import { DoorEventType, Timestamp, Uuid } from '../../../core/events/index.ts';
import { DoorEventsRepository } from '../../../core/db/repositories/door-events.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf } from '../../schemas/common.ts';
import { DoorEventItem } from '../../schemas/resources.ts';

const DoorEventQuery = Type.Object(
  {
    ...PageQuery,
    property: Type.Optional(Type.String({ maxLength: 128 })),
    door: Type.Optional(Type.String({ maxLength: 128 })),
    type: Type.Optional(DoorEventType),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    sort: Type.Optional(Type.Union([Type.Literal('-ts'), Type.Literal('ts')], { default: '-ts' })),
  },
  { additionalProperties: false },
);

const doorEvents: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'property_manager'));
  const events = new DoorEventsRepository(app.ctx.db);
  const files = new DataFiles(app.ctx.config.dataDir);

  app.get(
    '/',
    {
      schema: {
        tags: ['doors'],
        summary: 'Door events in your scope, newest first',
        security: Bearer,
        querystring: DoorEventQuery,
        response: { 200: Paged(DoorEventItem), 400: ErrorBody },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const { property, door, type, from, to, sort } = request.query;
      const r = await events.list({ property, door, type, from, to, sort, limit, offset }, scopeOf(request.user));
      return { items: r.items, page, limit, total: r.total };
    },
  );

  app.get(
    '/:id/image',
    {
      schema: {
        tags: ['doors'],
        summary: "A door event's face image (give the event's ts: events are stored by time)",
        security: Bearer,
        params: Type.Object({ id: Uuid }),
        querystring: Type.Object({ ts: Timestamp }, { additionalProperties: false }),
        produces: ['image/jpeg'],
        response: { 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const ev = await events.get(request.params.id, request.query.ts, scopeOf(request.user));
      const notFound = { error: 'Not Found', message: 'no image for this event in your scope' };
      return sendDataFile(reply, files, ev?.imagePath, notFound);
    },
  );
};
export default doorEvents;
