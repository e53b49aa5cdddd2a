// /api/v1/doors — doors of the compounds in your scope (property managers: their own), searchable, and one door.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { DoorsRepository } from '../../../core/db/repositories/doors.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf } from '../../schemas/common.ts';
import { Door } from '../../schemas/resources.ts';

const DoorQuery = Type.Object(
  {
    ...PageQuery,
    property: Type.Optional(Type.String({ maxLength: 128 })),
    district: Type.Optional(Type.String({ maxLength: 128 })),
    q: Type.Optional(Type.String({ maxLength: 128, description: 'Search in door id, door name and compound name' })),
    sort: Type.Optional(
      Type.Union([Type.Literal('id'), Type.Literal('name'), Type.Literal('-name'), Type.Literal('property')], { default: 'id' }),
    ),
  },
  { additionalProperties: false },
);

const doors: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'property_manager'));
  const repo = new DoorsRepository(app.ctx.db);

  app.get(
    '/',
    {
      schema: {
        tags: ['doors'],
        summary: 'Doors in your scope',
        security: Bearer,
        querystring: DoorQuery,
        response: { 200: Paged(Door), 400: ErrorBody },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const { property, district, q, sort } = request.query;
      const r = await repo.list({ property, district, q, sort, limit, offset }, scopeOf(request.user));
      return { items: r.items, page, limit, total: r.total };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['doors'],
        summary: 'One door',
        security: Bearer,
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
        response: { 200: Door, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const door = await repo.get(request.params.id, scopeOf(request.user));
      if (!door) return reply.code(404).send({ error: 'Not Found', message: 'no such door in your scope' });
      return door;
    },
  );
};
export default doors;
