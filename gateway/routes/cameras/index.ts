// /api/v1/cameras — the scoped camera list (status, district, cell, priority, search, sort, pages) and one camera.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { CameraPriority, CameraState } from '../../../core/events/index.ts';
import { CamerasRepository } from '../../../core/db/repositories/cameras.repository.ts';
import { DoorsRepository } from '../../../core/db/repositories/doors.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf, Wire } from '../../schemas/common.ts';
import { Camera } from '../../schemas/resources.ts';
import { cameraVisible } from './camera-visible.ts';

const CameraQuery = Wire(
  Type.Object(
    {
      ...PageQuery,
      status: Type.Optional(CameraState),
      district: Type.Optional(Type.String({ maxLength: 128 })),
      cell: Type.Optional(Type.String({ maxLength: 128 })),
      priority: Type.Optional(CameraPriority),
      q: Type.Optional(Type.String({ maxLength: 128, description: 'Search in id and name' })),
      sort: Type.Optional(Type.Union(['id', 'name', '-name', 'status', 'statusSince', '-statusSince'].map((s) => Type.Literal(s)), { default: 'id' })),
    },
    { additionalProperties: false },
  ),
);

const cameras: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'supervisor', 'property_manager'));
  const repo = new CamerasRepository(app.ctx.db);
  const doors = new DoorsRepository(app.ctx.db);

  app.get(
    '/',
    { schema: { tags: ['cameras'], summary: 'Cameras in your scope', security: Bearer, querystring: CameraQuery, response: { 200: Wire(Paged(Camera)), 400: ErrorBody } } },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const q = request.query;
      const r = await repo.list({ status: q.status, district: q.district, cell: q.cell, priority: q.priority, q: q.q, sort: q.sort as never, limit, offset }, scopeOf(request.user));
      return { items: r.items, page, limit, total: r.total };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['cameras'],
        summary: 'One camera',
        security: Bearer,
        params: Type.Object({ id: Type.String({ maxLength: 128 }) }),
        response: { 200: Wire(Camera), 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const cam = await repo.get(request.params.id);
      if (!cam || !(await cameraVisible(cam, scopeOf(request.user), doors))) return reply.code(404).send({ error: 'Not Found', message: 'no such camera in your scope' });
      return cam;
    },
  );
};
export default cameras;
