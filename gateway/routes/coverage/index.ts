// /api/v1/coverage — coverage rate now per grid unit in your scope (cell, community, town, district, city), with
// its hourly time series on request; /:unitId for one unit and its series.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { GridLevel } from '../../../core/city/city.schema.ts';
import { Timestamp } from '../../../core/events/index.ts';
import { CoverageRepository } from '../../../core/db/repositories/coverage.repository.ts';
import { Bearer, ErrorBody } from '../../schemas/common.ts';
import { CoverageItem, CoverageList } from './coverage.schema.ts';

const Query = Type.Object(
  {
    level: Type.Optional(GridLevel),
    parent: Type.Optional(Type.String({ maxLength: 128 })),
    district: Type.Optional(Type.String({ maxLength: 128 })),
    below: Type.Optional(Type.Boolean({ description: 'Only units below their threshold' })),
    series: Type.Optional(Type.Boolean({ description: 'Include the hourly series between from and to (default the last 24 h)' })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
  },
  { additionalProperties: false },
);
const OneQuery = Type.Object({ from: Type.Optional(Timestamp), to: Type.Optional(Timestamp) }, { additionalProperties: false });

const coverage: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'supervisor'));
  const repo = new CoverageRepository(app.ctx.db);
  const range = (q: { from?: string; to?: string }) => {
    const to = q.to ? new Date(q.to) : app.ctx.clock.now();
    return { from: q.from ? new Date(q.from) : new Date(to.getTime() - 86_400_000), to };
  };
  const shape = (r: Awaited<ReturnType<typeof repo.current>>[number]) => {
    const { gapKey, ...rest } = r;
    return { ...rest, belowThreshold: r.rate < r.threshold, gapOpen: gapKey !== undefined };
  };

  app.get(
    '/',
    {
      schema: {
        tags: ['coverage'],
        summary: 'Coverage per grid unit in your scope',
        security: Bearer,
        querystring: Query,
        response: { 200: CoverageList, 400: ErrorBody },
      },
    },
    async (request) => {
      const { level, parent, district, below, series, from, to } = request.query;
      const rows = await repo.current({ level, parent, district, belowThreshold: below }, scopeOf(request.user));
      const items = rows.map(shape);
      if (series || from || to) {
        const { from: f, to: t } = range({ from, to });
        const s = await repo.series(
          items.map((i) => i.unitId),
          f,
          t,
        );
        return { items: items.map((i) => ({ ...i, series: s[i.unitId] ?? [] })), total: items.length };
      }
      return { items, total: items.length };
    },
  );

  app.get(
    '/:unitId',
    {
      schema: {
        tags: ['coverage'],
        summary: 'One grid unit’s coverage and hourly series',
        security: Bearer,
        params: Type.Object({ unitId: Type.String({ maxLength: 128 }) }),
        querystring: OneQuery,
        response: { 200: CoverageItem, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const [row] = await repo.current({ unit: request.params.unitId }, scopeOf(request.user));
      if (!row) return reply.code(404).send({ error: 'Not Found', message: 'no coverage for this unit in your scope' });
      const { from, to } = range(request.query);
      return { ...shape(row), series: (await repo.series([row.unitId], from, to))[row.unitId] ?? [] };
    },
  );
};
export default coverage;
