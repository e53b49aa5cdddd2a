// /api/v1/alerts — alerts in your scope by state, kind, severity and time; acknowledge and resolve, announced on the bus.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { DataFiles } from '../../../core/files/data-files.ts';
import { sendDataFile } from '../../http/send-data-file.ts';
import { AlertKind, AlertState, Severity, Timestamp, Uuid } from '../../../core/events/index.ts';
import { AlertsRepository } from '../../../core/db/repositories/alerts.repository.ts';
import { Bearer, ErrorBody, PageQuery, Paged, pageOf } from '../../schemas/common.ts';
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
  const files = new DataFiles(app.ctx.config.dataDir);

  app.get(
    '/',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts in your scope',
        security: Bearer,
        querystring: AlertQuery,
        response: { 200: Paged(AlertItem), 400: ErrorBody },
      },
    },
    async (request) => {
      const { page, limit, offset } = pageOf(request.query);
      const { state, kind, severity, district, property, from, to, sort } = request.query;
      const r = await repo.list({ state, kind, severity, district, property, from, to, sort, limit, offset }, scopeOf(request.user));
      return { items: r.items, page, limit, total: r.total };
    },
  );

  app.get(
    '/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'One alert',
        security: Bearer,
        params: IdParams,
        response: { 200: AlertItem, 400: ErrorBody, 404: ErrorBody },
      },
    },
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
      return sendDataFile(reply, files, typeof rel === 'string' ? rel : undefined, notFound);
    },
  );

  for (const [action, state] of [
    ['ack', 'acknowledged'],
    ['resolve', 'resolved'],
  ] as const) {
    app.post(
      `/:id/${action}`,
      {
        // Supervisors read alerts; those who watch (monitors) and own the doors (property managers) act on them.
        onRequest: app.requireRole('admin', 'monitor', 'property_manager'),
        schema: {
          tags: ['alerts'],
          summary: action === 'ack' ? 'Acknowledge an alert' : 'Resolve an alert',
          security: Bearer,
          params: IdParams,
          response: { 200: AlertItem, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody },
        },
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
