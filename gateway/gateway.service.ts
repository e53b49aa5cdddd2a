// The gateway as a service: the fastify app on PORT.
import type { FastifyInstance } from 'fastify';
import type { Service, ServiceContext } from '../core/service.ts';
import { ConfigError } from '../core/config/index.ts';
import { buildApp } from './app.ts';

export class GatewayService implements Service {
  readonly name = 'gateway';
  app?: FastifyInstance;
  constructor(private readonly ctx: ServiceContext) {}

  async start(): Promise<void> {
    this.app = await buildApp(this.ctx);
    const { port, host } = this.ctx.config;
    try {
      await this.app.listen({ port, host });
    } catch (err) {
      await this.app.close().catch(() => {});
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE')
        throw new ConfigError(
          'PORT',
          'in use',
          `port ${port} on ${host} is already in use: set PORT to a free port (or stop the program holding it)`,
        );
      if (code === 'EACCES')
        throw new ConfigError('PORT', 'not allowed', `port ${port} on ${host} may not be opened by this user: set PORT above 1023`);
      if (code === 'EADDRNOTAVAIL')
        throw new ConfigError(
          'HOST',
          'not available',
          `address ${host} is not on this machine: set HOST to one of its addresses (or 0.0.0.0)`,
        );
      throw err;
    }
  }

  get url(): string {
    const addr = this.app?.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : this.ctx.config.port;
    return `http://localhost:${port}`;
  }

  async stop(): Promise<void> {
    await this.app?.close();
  }
}
