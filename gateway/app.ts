// Builds the fastify app: external plugins, then app plugins (gateway/plugins), then routes (gateway/routes),
// each route folder loaded by @fastify/autoload under /api/v1.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import autoload from '@fastify/autoload';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { ServiceContext } from '../core/service.ts';
import { parseTrustProxy } from './http/trust-proxy.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
// autoload recognises tsx only when preloaded with --require; under `node --import tsx` (tests, Docker) it would
// refuse the .ts route files that this process can in fact import.
process.env.FASTIFY_AUTOLOAD_TYPESCRIPT ??= '1';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: ServiceContext;
  }
}

export async function buildApp(ctx: ServiceContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log.child({ service: 'gateway' }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
    trustProxy: parseTrustProxy(ctx.config.trustProxy),
    // The live push subscribes on the bus while it starts; on a JetStream cluster that is electing a leader those
    // requests are tried again for up to a minute (core/bus/jetstream-bus.ts), past fastify's default of 10 s.
    pluginTimeout: 90_000,
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.decorate('ctx', ctx);

  await app.register(swagger, {
    openapi: {
      info: { title: 'Gridwatch API', version: '1', description: 'Cameras, doors, alerts, repairs, coverage and faces.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(autoload, { dir: path.join(here, 'plugins'), forceESM: true, encapsulate: false });
  await app.register(autoload, {
    dir: path.join(here, 'routes'),
    forceESM: true,
    options: { prefix: '/api/v1' },
    ignorePattern: /\.(spec|test)\.ts$/,
    autoHooks: true,
    cascadeHooks: true,
  });
  return app;
}
