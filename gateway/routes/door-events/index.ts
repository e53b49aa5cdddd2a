// /api/v1/door-events — door events by compound, door, type and time range, only for compounds in your scope.
import path from 'node:path';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { DoorEventType, Timestamp, Uuid } from '../../../core/events/index.ts';
import { DoorEventsRepository } from '../../../core/db/repositories/door-events.repository.ts';
import { DoorsRepository } from '../../../core/db/repositories/doors.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf, Wire } from '../../schemas/common.ts';
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
  const doors = new DoorsRepository(app.ctx.db);

  app.get(
    '/',
    { schema: { tags: ['doors'], summary: 'Door events in your scope, newest first', security: Bearer, querystring: Wire(DoorEventQuery), response: { 200: Wire(Paged(DoorEventItem)), 400: ErrorBody } } },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const scope = scopeOf(request.user);
      // Door events carry their compound, not a district: a district scope becomes the compounds in it.
      const properties = scope.properties ?? (scope.districts ? await doors.propertyIdsIn(scope.districts) : undefined);
      const { property, door, type, from, to, sort } = request.query;
      const r = await events.list({ properties, property, door, type, from, to, sort, limit, offset });
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
      const scope = scopeOf(request.user);
      const properties = scope.properties ?? (scope.districts ? await doors.propertyIdsIn(scope.districts) : undefined);
      const at = new Date(request.query.ts);
      const r = await events.list({ properties, from: at.toISOString(), to: new Date(at.getTime() + 1).toISOString(), limit: 1000 });
      const ev = r.items.find((e) => e.eventId === request.params.id);
      const notFound = { error: 'Not Found', message: 'no image for this event in your scope' };
      if (!ev?.imagePath) return reply.code(404).send(notFound);
      // Only files under DATA_DIR are ever served, whatever a row says.
      const root = path.resolve(app.ctx.config.dataDir);
      const file = path.resolve(root, ev.imagePath);
      if (!file.startsWith(root + path.sep)) return reply.code(404).send(notFound);
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile()) return reply.code(404).send(notFound);
      return reply.type('image/jpeg').header('content-length', st.size).header('cache-control', 'private, max-age=3600').send(createReadStream(file) as never);
    },
  );
};
export default doorEvents;
