// /api/v1/grid — the grid hierarchy in your scope: units as a list, or cells as GeoJSON for the dashboard's map.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { GridLevel } from '../../../core/city/city.schema.ts';
import { GridRepository } from '../../../core/db/repositories/grid.repository.ts';
import { Bearer, ErrorBody } from '../../schemas/common.ts';
import { FeatureCollection, UnitList } from './grid.schema.ts';

const grid: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.authenticate);
  const repo = new GridRepository(app.ctx.db);

  app.get(
    '/',
    {
      schema: {
        tags: ['grid'],
        summary: 'Grid units in your scope (districts, towns, communities, cells)',
        security: Bearer,
        querystring: Type.Object({ level: Type.Optional(GridLevel) }, { additionalProperties: false }),
        response: { 200: UnitList, 400: ErrorBody },
      },
    },
    async (request) => {
      const items = await repo.units(request.query.level, scopeOf(request.user), false);
      return { items: items.map(({ geom: _g, ...u }) => u), total: items.length };
    },
  );

  app.get(
    '/cells.geojson',
    {
      schema: {
        tags: ['grid'],
        summary: 'Grid cells with their polygons (GeoJSON FeatureCollection) for the map',
        security: Bearer,
        response: { 200: FeatureCollection },
      },
    },
    async (request) => {
      const cells = await repo.units('cell', scopeOf(request.user));
      return {
        type: 'FeatureCollection' as const,
        features: cells
          .filter((c) => c.geom)
          .map(({ geom, ...u }) => ({ type: 'Feature' as const, id: u.id, properties: u, geometry: geom! })),
      };
    },
  );
};
export default grid;
