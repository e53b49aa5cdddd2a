// /api/v1/reports — supervisors' reports for a period, per district in your scope: outages (uptime, outages, MTTR,
// SLA compliance, overdue tickets by district and unit) and coverage; as JSON, CSV or PDF.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { scopeOf } from '../../../core/auth/scope.ts';
import { Timestamp } from '../../../core/events/index.ts';
import { coverageReport, outageReport, type Report } from '../../reports/report-data.ts';
import { reportCsv, reportPdf } from '../../reports/report-render.ts';
import { ReportLang } from '../../reports/report-words.ts';
import { Bearer, ErrorBody } from '../../schemas/common.ts';
import { BAD_PERIOD, queryPeriod } from '../../http/query-period.ts';
import { ReportBody } from './reports.schema.ts';

const Query = Type.Object(
  {
    from: Type.Optional(Timestamp),
    to: Type.Optional(Timestamp),
    district: Type.Optional(Type.String({ maxLength: 128 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('pdf')], { default: 'json' })),
    lang: Type.Optional(Type.Union(ReportLang.anyOf, { default: 'en', description: ReportLang.description })),
  },
  { additionalProperties: false },
);

async function send(reply: FastifyReply, name: string, format: string | undefined, r: Report) {
  const file = `${name}-${r.from.slice(0, 10)}-${r.to.slice(0, 10)}${r.district ? `-${r.district}` : ''}`;
  if (format === 'csv')
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${file}.csv"`).send(reportCsv(r));
  if (format === 'pdf')
    return reply
      .type('application/pdf')
      .header('content-disposition', `attachment; filename="${file}.pdf"`)
      .send(await reportPdf(r));
  return r;
}

const reports: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'supervisor', 'monitor'));
  const schema = (summary: string) => ({
    tags: ['reports'],
    summary,
    description: 'Period defaults to the last 7 days. `format=csv` or `format=pdf` downloads the same tables.',
    security: Bearer,
    querystring: Query,
    response: { 200: ReportBody, 400: ErrorBody },
  });
  const period = (q: { from?: string; to?: string }) => queryPeriod(q, app.ctx.clock.now());

  app.get(
    '/outages',
    { schema: schema('Outages, uptime, MTTR, SLA compliance and overdue tickets per district and unit') },
    async (request, reply) => {
      const p = period(request.query);
      if (p.from >= p.to) return reply.code(400).send(BAD_PERIOD);
      const r = await outageReport(app.ctx.db, {
        ...p,
        district: request.query.district,
        scope: scopeOf(request.user),
        lang: request.query.lang,
      });
      return send(reply, 'outages', request.query.format, r);
    },
  );

  app.get('/coverage', { schema: schema('Coverage rate per district and grid cell over the period') }, async (request, reply) => {
    const p = period(request.query);
    if (p.from >= p.to) return reply.code(400).send(BAD_PERIOD);
    const r = await coverageReport(app.ctx.db, {
      ...p,
      district: request.query.district,
      scope: scopeOf(request.user),
      lang: request.query.lang,
    });
    return send(reply, 'coverage', request.query.format, r);
  });
};
export default reports;
