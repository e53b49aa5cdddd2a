// One error shape for the whole API: schema violations (and NUL characters) become 400 `{ error, field, message }`
// naming the field; other client errors keep their status; server errors are logged and answered without internals.
import fp from 'fastify-plugin';
import type { FastifyError, FastifyInstance } from 'fastify';
import { RequestError } from '../../core/errors.ts';
import { NUL_DETAIL, nulField } from '../../core/events/validate.ts';

export interface ApiError {
  error: string;
  message: string;
  field?: string;
}

interface AjvIssue {
  instancePath?: string;
  params?: Record<string, unknown>;
  message?: string;
}

/** `body.username`, `querystring.limit`, … from the first ajv issue. */
export function fieldOf(issue: AjvIssue | undefined, context: string | undefined): string {
  const segments = (issue?.instancePath ?? '').split('/').filter(Boolean);
  const extra = issue?.params?.missingProperty ?? issue?.params?.additionalProperty;
  if (typeof extra === 'string') segments.push(extra);
  const where = context ?? 'body';
  return segments.length ? `${where}.${segments.join('.')}` : where;
}

export default fp(
  async (app: FastifyInstance) => {
    // JSON and URLs can carry U+0000, the schemas let it through, and PostgreSQL text refuses it: a 500 after the
    // fact. Refused up front instead, naming the field, for every route (file uploads arrive as Buffers, not text).
    app.addHook('preValidation', async (request) => {
      for (const [where, value] of [
        ['params', request.params],
        ['querystring', request.query],
        ['body', request.body],
      ] as const) {
        const at = nulField(value, '');
        if (at === undefined) continue;
        const field = at ? `${where}.${at}` : where;
        throw new RequestError(400, `${field} ${NUL_DETAIL}`, field);
      }
    });
    app.setErrorHandler((err: FastifyError & { validationContext?: string }, request, reply) => {
      if (err.validation) {
        const first = err.validation[0] as AjvIssue | undefined;
        const field = fieldOf(first, err.validationContext);
        const detail = first?.params?.additionalProperty
          ? `unknown property ${String(first.params.additionalProperty)}`
          : (first?.message ?? 'is invalid');
        return reply.code(400).send({ error: 'Bad Request', field, message: `${field} ${detail}` } satisfies ApiError);
      }
      if (err instanceof RequestError) {
        return reply
          .code(err.statusCode)
          .send({ error: httpName(err.statusCode), message: err.message, ...(err.field ? { field: err.field } : {}) } satisfies ApiError);
      }
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500) {
        request.log.error({ err, url: request.url }, 'request failed');
        return reply.code(status).send({ error: 'Internal Server Error', message: 'internal error' } satisfies ApiError);
      }
      return reply.code(status).send({
        error: err.name && err.name !== 'Error' && err.name !== 'FastifyError' ? err.name : httpName(status),
        message: err.message,
      } satisfies ApiError);
    });
  },
  { name: 'errors', fastify: '5.x' },
);

function httpName(status: number): string {
  return (
    (
      {
        400: 'Bad Request',
        401: 'Unauthorized',
        403: 'Forbidden',
        404: 'Not Found',
        409: 'Conflict',
        413: 'Payload Too Large',
        415: 'Unsupported Media Type',
        429: 'Too Many Requests',
      } as Record<number, string>
    )[status] ?? 'Error'
  );
}
