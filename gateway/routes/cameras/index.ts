// /api/v1/cameras — the scoped camera list (status, district, cell, priority, search, sort, pages) and one camera.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { CameraPriority, CameraState, Timestamp } from '../../../core/events/index.ts';
import { CamerasRepository } from '../../../core/db/repositories/cameras.repository.ts';
import { CameraHealthRepository } from '../../../core/db/repositories/camera-health.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf } from '../../schemas/common.ts';
import { Camera, CameraProtocol, HealthPoint } from '../../schemas/resources.ts';
import { fetchCameraSnapshot, loadCameraCredentials } from '../../../core/credentials/camera-http.ts';
import { CredentialCipher } from '../../../core/credentials/credential-cipher.ts';
import cameraCredentials from './credentials.ts';

const CameraQuery = Type.Object(
  {
    ...PageQuery,
    status: Type.Optional(CameraState),
    district: Type.Optional(Type.String({ maxLength: 128 })),
    cell: Type.Optional(Type.String({ maxLength: 128 })),
    priority: Type.Optional(CameraPriority),
    protocol: Type.Optional(CameraProtocol),
    q: Type.Optional(Type.String({ maxLength: 128, description: 'Search in id and name' })),
    sort: Type.Optional(
      Type.Union(
        ['id', 'name', '-name', 'status', 'statusSince', '-statusSince'].map((s) => Type.Literal(s)),
        { default: 'id' },
      ),
    ),
  },
  { additionalProperties: false },
);

const cameras: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'supervisor', 'property_manager'));
  const repo = new CamerasRepository(app.ctx.db);
  const health = new CameraHealthRepository(app.ctx.db);
  const cipher = await CredentialCipher.fromConfig(app.ctx.config);
  const IdParams = Type.Object({ id: Type.String({ maxLength: 128 }) });
  const notFound = { error: 'Not Found', message: 'no such camera in your scope' };
  /** The camera when the user's scope covers it. */
  const visible = (id: string, user: Parameters<typeof scopeOf>[0]) => repo.get(id, scopeOf(user));

  app.get(
    '/',
    {
      schema: {
        tags: ['cameras'],
        summary: 'Cameras in your scope',
        security: Bearer,
        querystring: CameraQuery,
        response: { 200: Paged(Camera), 400: ErrorBody },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const q = request.query;
      const r = await repo.list(
        {
          status: q.status,
          district: q.district,
          cell: q.cell,
          priority: q.priority,
          protocol: q.protocol,
          q: q.q,
          sort: q.sort as never,
          limit,
          offset,
        },
        scopeOf(request.user),
      );
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
        response: { 200: Camera, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      return (await visible(request.params.id, request.user)) ?? reply.code(404).send(notFound);
    },
  );

  app.get(
    '/:id/health',
    {
      schema: {
        tags: ['cameras'],
        summary: 'Health timeline: heartbeats and stream checks, oldest first (default: the last 24 hours)',
        security: Bearer,
        params: IdParams,
        querystring: Type.Object({ from: Type.Optional(Timestamp), to: Type.Optional(Timestamp) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ cameraId: Type.String(), from: Type.String(), to: Type.String(), items: Type.Array(HealthPoint) }),
          400: ErrorBody,
          404: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const cam = await visible(request.params.id, request.user);
      if (!cam) return reply.code(404).send(notFound);
      const to = request.query.to ?? app.ctx.clock.now().toISOString();
      const from = request.query.from ?? new Date(new Date(to).getTime() - 86_400_000).toISOString();
      // The newest 1,000 samples of the period (a day of 30 s heartbeats and stream checks fits), oldest first.
      const samples = (await health.list({ camera: cam.id, from, to, limit: 1000 })).items.reverse();
      const items = samples.map((x) => ({
        ts: x.ts,
        kind: x.kind,
        reachable: x.reachable,
        latencyMs: x.latencyMs ?? null,
        errorClass: x.errorClass ?? null,
      }));
      return { cameraId: cam.id, from, to, items };
    },
  );

  app.get(
    '/:id/snapshot',
    {
      schema: {
        tags: ['cameras'],
        summary: "The camera's current JPEG snapshot, fetched from its ONVIF snapshot URI",
        security: Bearer,
        params: IdParams,
        produces: ['image/jpeg'],
        response: { 404: ErrorBody, 502: ErrorBody },
      },
    },
    async (request, reply) => {
      const cam = await visible(request.params.id, request.user);
      if (!cam) return reply.code(404).send(notFound);
      if (!cam.snapshotUri) return reply.code(404).send({ error: 'Not Found', message: 'this camera has no snapshot URI' });
      // With the credentials ingest holds for the camera (most cameras want Basic or Digest for their snapshot URI).
      const creds = await loadCameraCredentials(repo, cipher, cam.id);
      const shot = await fetchCameraSnapshot(cam.snapshotUri, creds, app.ctx.config.healthTimeout);
      if ('error' in shot) return reply.code(502).send({ error: 'Bad Gateway', message: shot.error });
      return reply
        .type('image/jpeg')
        .header('cache-control', 'no-store')
        .send(shot.jpeg as never);
    },
  );

  await app.register(cameraCredentials);
};
export default cameras;
