// Authentication and roles for every route: JWT bearer tokens (@fastify/jwt), `app.authenticate` (401) and
// `app.requireRole(...)` (403), login rate limiting, and the first users.
import fp from 'fastify-plugin';
import jwt from '@fastify/jwt';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { AuthUser, Role } from '../../core/auth/scope.ts';
import { storedSecret } from '../auth/stored-secret.ts';
import { bootstrapUsers } from '../auth/bootstrap-users.ts';

/** What a token carries: the user and their scope, so a request needs no database read to be authorised. */
export interface TokenClaims {
  sub: string;
  username: string;
  role: Role;
  districts: string[];
  properties: string[];
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: AuthUser;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: 401 unless a valid bearer token; sets `request.user`. */
    authenticate: onRequestHookHandler;
    /** onRequest hook: 401 without a token, 403 when the user's role is not one of `roles`. */
    requireRole(...roles: Role[]): onRequestHookHandler;
    /** Signs a token for the user (login, tests, benchmarks). */
    issueToken(user: AuthUser): string;
    /** Verifies a token (socket.io handshake); throws when invalid or expired. */
    verifyToken(token: string): AuthUser;
  }
}

export function userOf(c: TokenClaims): AuthUser {
  return { id: Number(c.sub), username: c.username, role: c.role, districts: c.districts ?? [], properties: c.properties ?? [] };
}

export default fp(
  async (app: FastifyInstance) => {
    const { config } = app.ctx;
    const secret = config.jwtSecret ?? (await storedSecret(config.dataDir, 'jwt-secret')).value;
    await app.register(jwt, {
      secret,
      sign: { expiresIn: `${Math.max(1, Math.round(config.tokenTtl / 1000))}s` },
      formatUser: (claims) => userOf(claims),
    });
    // Only routes that ask for it (login) are limited; the rest of the API is behind tokens.
    await app.register(rateLimit, { global: false });

    app.decorate('issueToken', (u: AuthUser) =>
      app.jwt.sign({ sub: String(u.id), username: u.username, role: u.role, districts: u.districts, properties: u.properties }),
    );
    app.decorate('verifyToken', (token: string) => userOf(app.jwt.verify<TokenClaims>(token)));

    const authenticate = async (request: FastifyRequest, reply: FastifyReply) => {
      try {
        await request.jwtVerify();
      } catch (err) {
        const expired = (err as { code?: string }).code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED';
        return reply.code(401).send({ error: 'Unauthorized', message: expired ? 'token expired' : 'missing or invalid bearer token' });
      }
    };
    app.decorate('authenticate', authenticate as onRequestHookHandler);
    app.decorate('requireRole', (...roles: Role[]) => {
      const hook = async (request: FastifyRequest, reply: FastifyReply) => {
        if (!request.user) {
          await authenticate(request, reply);
          if (reply.sent) return;
        }
        if (!roles.includes(request.user.role)) {
          return reply.code(403).send({ error: 'Forbidden', message: `requires role ${roles.join(' or ')}` });
        }
      };
      return hook as onRequestHookHandler;
    });

    // The city may be imported just before the gateway starts: create and scope users once everything is loaded.
    app.addHook('onReady', async () => {
      await bootstrapUsers(app.ctx);
    });
  },
  { name: 'auth', fastify: '5.x', dependencies: ['errors'] },
);
