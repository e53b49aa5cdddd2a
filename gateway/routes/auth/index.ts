// POST /api/v1/auth/login — username and password for a bearer token; GET /api/v1/auth/me — who the token is.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AuthUser } from '../../../core/auth/scope.ts';
import { UsersRepository } from '../../../core/db/repositories/users.repository.ts';
import { checkPassword } from '../../auth/passwords.ts';
import { ErrorBody } from '../../schemas/common.ts';
import { Login, Token } from './auth.schema.ts';

const auth: FastifyPluginAsyncTypebox = async (app) => {
  const users = new UsersRepository(app.ctx.db);
  app.post(
    '/login',
    {
      schema: { tags: ['auth'], summary: 'Log in', body: Login, response: { 200: Token, 400: ErrorBody, 401: ErrorBody, 429: ErrorBody } },
      config: { rateLimit: { max: app.ctx.config.loginRateLimit, timeWindow: 60_000 } },
    },
    async (request, reply) => {
      const row = await users.byUsername(request.body.username);
      if (!(await checkPassword(row?.passwordHash, request.body.password)) || !row) {
        return reply.code(401).send({ error: 'Unauthorized', message: 'wrong username or password' });
      }
      const user = { id: row.id, username: row.username, role: row.role, districts: row.districts, properties: row.properties };
      return { token: app.issueToken(user), expiresIn: Math.round(app.ctx.config.tokenTtl / 1000), user };
    },
  );

  app.get(
    '/me',
    {
      onRequest: app.authenticate,
      schema: { tags: ['auth'], summary: 'The logged-in user', security: [{ bearer: [] }], response: { 200: AuthUser, 401: ErrorBody } },
    },
    async (request) => request.user,
  );
};
export default auth;
