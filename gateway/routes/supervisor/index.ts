// /api/v1/supervisor — what a supervisor is judged on, in their scope: online rate, intact rate and key-location
// coverage per district and town (`/figures`), and the rectification notice (整改通知) as PDF or CSV (`/notice`).
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { scopeOf } from '../../../core/auth/scope.ts';
import { Bearer, ErrorBody } from '../../schemas/common.ts';
import { BAD_PERIOD, queryPeriod } from '../../http/query-period.ts';
import { supervisorFigures } from './figures.ts';
import { buildNotice, noticeCsv, noticePdf } from './notice.ts';
import { Figures, FiguresQuery, NoticeQuery } from './supervisor.schema.ts';

/** Whether Intl knows the zone (the schema's pattern only checks its shape). */
function knownZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const supervisor: FastifyPluginAsyncTypebox = async (app) => {
  app.addHook('onRequest', app.requireRole('admin', 'supervisor'));
  const period = (q: { from?: string; to?: string }) => queryPeriod(q, app.ctx.clock.now());

  app.get(
    '/figures',
    {
      schema: {
        tags: ['supervisor'],
        summary: 'Online rate, intact rate and key-location coverage per district and town',
        description:
          'Rates over the period (default: the last 7 days) from the outage history; key-location coverage as it is now ' +
          '(a key location is covered when a camera that is online with a good picture has it in view).',
        security: Bearer,
        querystring: FiguresQuery,
        response: { 200: Figures, 400: ErrorBody },
      },
    },
    async (request, reply) => {
      const p = period(request.query);
      if (p.from >= p.to) return reply.code(400).send(BAD_PERIOD);
      return supervisorFigures(app.ctx.db, {
        ...p,
        district: request.query.district,
        districts: scopeOf(request.user).districts,
        withCells: request.query.cells === true,
      });
    },
  );

  app.get(
    '/notice',
    {
      schema: {
        tags: ['supervisor'],
        summary: 'The rectification notice (整改通知) as PDF or CSV',
        description:
          'Units ranked by overdue tickets, online rate and time to repair; the tickets at escalation level 2 in the ' +
          'period; key locations not covered. Chinese by default (`lang=en` for English); times in `tz`.',
        security: Bearer,
        querystring: Type.Composite([
          NoticeQuery,
          Type.Object({
            days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90, default: 15, description: 'Days given to rectify' })),
          }),
        ]),
        response: {
          200: Type.Unsafe<Buffer | string>({ type: 'string', format: 'binary', description: 'application/pdf or text/csv' }),
          400: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const p = period(q);
      if (p.from >= p.to) return reply.code(400).send(BAD_PERIOD);
      const timeZone = q.tz ?? app.ctx.config.timezone;
      if (!knownZone(timeZone))
        return reply.code(400).send({ error: 'Bad Request', field: 'querystring.tz', message: 'querystring.tz is not a known time zone' });
      const notice = await buildNotice(app.ctx.db, {
        ...p,
        district: q.district,
        districts: scopeOf(request.user).districts,
        lang: q.lang ?? 'zh-CN',
        timeZone,
        days: q.days ?? 15,
      });
      const file = `notice-${p.to.toISOString().slice(0, 10)}${q.district ? `-${q.district.replace(/[^\w-]/g, '_')}` : ''}`;
      if (q.format === 'csv')
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${file}.csv"`)
          .send(noticeCsv(notice));
      return reply
        .type('application/pdf')
        .header('content-disposition', `attachment; filename="${file}.pdf"`)
        .send(await noticePdf(notice));
    },
  );
};
export default supervisor;
