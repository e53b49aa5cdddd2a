// /api/v1/dead-letters — input that could not be accepted, with the reason (administrators only).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { DeadLettersRepository } from '../../../core/db/repositories/dead-letters.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf } from '../../schemas/common.ts';
import { DeadLetter } from '../../schemas/resources.ts';

const Query = Type.Object(
  {
    ...PageQuery,
    source: Type.Optional(Type.String({ maxLength: 64, description: 'e.g. door-intake' })),
    sort: Type.Optional(Type.Literal('-ts', { default: '-ts', description: 'Newest first' })),
  },
  { additionalProperties: false },
);

const deadLetters: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin'));
  const repo = new DeadLettersRepository(app.ctx.db);
  app.get(
    '/',
    {
      schema: {
        tags: ['dead-letters'],
        summary: 'Rejected input, newest first',
        security: Bearer,
        querystring: Query,
        response: { 200: Paged(DeadLetter), 400: ErrorBody },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const r = await repo.list({ source: request.query.source, limit, offset });
      return { items: r.items, page, limit, total: r.total };
    },
  );
};
export default deadLetters;
