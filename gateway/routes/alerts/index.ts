// /api/v1/alerts — alerts in your scope by state, kind, severity and time; acknowledge and resolve, announced on the bus.
import path from 'node:path';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { AlertKind, AlertState, Severity, Timestamp, Uuid } from '../../../core/events/index.ts';
import { AlertsRepository } from '../../../core/db/repositories/alerts.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf, Wire } from '../../schemas/common.ts';
import { AlertItem } from '../../schemas/resources.ts';

const AlertQuery = Type.Object(
  {
    ...PageQuery,
    state: Type.Optional(AlertState),
    kind: Type.Optional(AlertKind),
    severity: Type.Optional(Severity),
    district: Type.Optional(Type.String({ maxLength: 128 })),
    property: Type.Optional(Type.String({ maxLength: 128 })),
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    sort: Type.Optional(Type.Union([Type.Literal('-ts'), Type.Literal('ts'), Type.Literal('severity')], { default: '-ts' })),
  },
  { additionalProperties: false },
);
const IdParams = Type.Object({ id: Uuid });

const alerts: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'monitor', 'property_manager', 'supervisor'));
  const repo = new AlertsRepository(app.ctx.db);

  app.get(
    '/',
    { schema: { tags: ['alerts'], summary: 'Alerts in your scope', security: Bearer, querystring: Wire(AlertQuery), response: { 200: Wire(Paged(AlertItem)), 400: ErrorBody } } },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const { state, kind, severity, district, property, from, to, sort } = request.query;
      const r = await repo.list({ state, kind, severity, district, property, from, to, sort, limit, offset }, scopeOf(request.user));
      return { items: r.items, page, limit, total: r.total };
    },
  );

  app.get(
    '/:id',
    { schema: { tags: ['alerts'], summary: 'One alert', security: Bearer, params: IdParams, response: { 200: Wire(AlertItem), 400: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const a = await repo.get(request.params.id, scopeOf(request.user));
      return a ?? reply.code(404).send({ error: 'Not Found', message: 'no such alert in your scope' });
    },
  );

  app.get(
    '/:id/snapshots/:n',
    {
      schema: {
        tags: ['alerts'],
        summary: "A camera snapshot kept as the alert's evidence (evidence.snapshots[n], e.g. the cameras around a forced door)",
        security: Bearer,
        params: Type.Object({ id: Uuid, n: Type.Integer({ minimum: 0, maximum: 63 }) }),
        produces: ['image/jpeg'],
        response: { 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const a = await repo.get(request.params.id, scopeOf(request.user));
      const snaps = (a?.evidence as { snapshots?: Array<{ path?: unknown }> } | undefined)?.snapshots;
      const rel = Array.isArray(snaps) ? snaps[request.params.n]?.path : undefined;
      const notFound = { error: 'Not Found', message: 'no such snapshot for an alert in your scope' };
      if (typeof rel !== 'string') return reply.code(404).send(notFound);
      // Evidence paths are relative to DATA_DIR; nothing outside it is ever served.
      const root = path.resolve(app.ctx.config.dataDir);
      const file = path.resolve(root, rel);
      if (!file.startsWith(root + path.sep)) return reply.code(404).send(notFound);
      const st = await stat(file).catch(() => undefined);
      if (!st?.isFile()) return reply.code(404).send(notFound);
      return reply.type('image/jpeg').header('content-length', st.size).header('cache-control', 'private, max-age=3600').send(createReadStream(file) as never);
    },
  );

  for (const [action, state] of [['ack', 'acknowledged'], ['resolve', 'resolved']] as const) {
    app.post(
      `/:id/${action}`,
      {
        // Supervisors read alerts; those who watch (monitors) and own the doors (property managers) act on them.
        onRequest: app.requireRole('admin', 'monitor', 'property_manager'),
        schema: { tags: ['alerts'], summary: action === 'ack' ? 'Acknowledge an alert' : 'Resolve an alert', security: Bearer, params: IdParams, response: { 200: Wire(AlertItem), 400: ErrorBody, 403: ErrorBody, 404: ErrorBody } },
      },
      async (request, reply) => {
        const a = await repo.setState(request.params.id, state, request.user.username, scopeOf(request.user));
        if (!a) return reply.code(404).send({ error: 'Not Found', message: 'no such alert in your scope' });
        await app.ctx.bus.publish('alertUpdated', { kind: a.kind }, a);
        return a;
      },
    );
  }
};
export default alerts;
