// /api/v1/door-events — door events by compound, door, type and time range, only for compounds in your scope.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { DoorEventType, Timestamp } from '../../../core/events/index.ts';
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
};
export default doorEvents;
