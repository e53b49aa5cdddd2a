// The gateway as a service: the fastify app on PORT.
import type { FastifyInstance } from 'fastify';
import type { Service, ServiceContext } from '../core/service.ts';
import { buildApp } from './app.ts';

export class GatewayService implements Service {
  readonly name = 'gateway';
  app?: FastifyInstance;
  constructor(private readonly ctx: ServiceContext) {}

  async start(): Promise<void> {
    this.app = await buildApp(this.ctx);
    await this.app.listen({ port: this.ctx.config.port, host: this.ctx.config.host });
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
