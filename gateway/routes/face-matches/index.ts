// /api/v1/face-matches — watch-list matches in your scope, each crop behind it, and the audit log; every view
// of a match (in a list, alone or its crop) is written to the face audit log with who looked.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { DataFiles } from '../../../core/files/data-files.ts';
import { sendDataFile } from '../../http/send-data-file.ts';
import { Timestamp } from '../../../core/events/index.ts';
import { FaceMatchesRepository } from '../../../core/db/repositories/face-matches.repository.ts';
import { FaceAuditRepository } from '../../../core/db/repositories/face-audit.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf } from '../../schemas/common.ts';
import { AuditItem, FaceMatchItem } from './face-matches.schema.ts';

const MatchQuery = Type.Object(
  {
    ...PageQuery,
    watchlistId: Type.Optional(Type.String({ maxLength: 64 })),
    personId: Type.Optional(Type.String({ maxLength: 64 })),
    property: Type.Optional(Type.String({ maxLength: 128 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const notFound = { error: 'Not Found', message: 'no such face match in your scope' };

const faceMatches: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'property_manager'));
  const repo = new FaceMatchesRepository(app.ctx.db);
  const audit = new FaceAuditRepository(app.ctx.db);
  const files = new DataFiles(app.ctx.config.dataDir);

  app.get(
    '/',
    {
      schema: {
        tags: ['faces'],
        summary: 'Face matches in your scope (audited)',
        security: Bearer,
        querystring: MatchQuery,
        response: { 200: Paged(FaceMatchItem), 400: ErrorBody },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const { watchlistId, personId, property, from, to } = request.query;
      const r = await repo.list({ watchlistId, personId, propertyId: property, from, to, limit, offset }, scopeOf(request.user));
      await audit.record(
        request.user.username,
        'list',
        r.items.map((m) => m.matchId),
        { query: request.query },
      );
      return { items: r.items, page, limit, total: r.total };
    },
  );

  app.get(
    '/audit',
    {
      onRequest: app.requireRole('admin'),
      schema: {
        tags: ['faces'],
        summary: 'Who viewed which face match (admins)',
        security: Bearer,
        querystring: Type.Object(
          {
            matchId: Type.Optional(Type.String({ format: 'uuid' })),
            actor: Type.Optional(Type.String()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(AuditItem) }) },
      },
    },
    async (request) => ({ items: await audit.list(request.query) }),
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['faces'],
        summary: 'One face match (audited)',
        security: Bearer,
        params: IdParams,
        response: { 200: FaceMatchItem, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const m = await repo.get(request.params.id, scopeOf(request.user));
      if (!m) return reply.code(404).send(notFound);
      await audit.record(request.user.username, 'view', [m.matchId]);
      return m;
    },
  );

  app.get(
    '/:id/crop',
    {
      schema: {
        tags: ['faces'],
        summary: 'The face crop of a match, JPEG (audited)',
        security: Bearer,
        params: IdParams,
        produces: ['image/jpeg'],
        response: { 200: Type.Unsafe<Buffer>({ type: 'string', format: 'binary' }), 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const m = await repo.get(request.params.id, scopeOf(request.user));
      if (!m?.cropPath)
        return reply.code(404).send(m ? { error: 'Not Found', message: 'this match has no crop (deleted or never stored)' } : notFound);
      return sendDataFile(
        reply,
        files,
        m.cropPath,
        { error: 'Not Found', message: 'the crop file is gone' },
        { cache: 'private, no-store', beforeSend: () => audit.record(request.user.username, 'view_crop', [m.matchId]) },
      );
    },
  );
};
export default faceMatches;
