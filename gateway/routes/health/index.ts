// GET /api/v1/health — no auth: database backend and version, broker, and each component's own report.
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  db: Type.Object({ backend: Type.String(), version: Type.String(), reachable: Type.Boolean() }),
  broker: Type.Object({ kind: Type.String(), connected: Type.Boolean() }),
  components: Type.Record(Type.String(), Type.Record(Type.String(), Type.Unknown())),
});

const health: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/', { schema: { tags: ['health'], summary: 'Liveness and component health', response: { 200: Health } } }, async () => {
    const { db, bus, broker, health: registry } = app.ctx;
    const reachable = await db.ping();
    const degraded = !reachable || !bus.connected || registry.degraded();
    return {
      status: degraded ? ('degraded' as const) : ('ok' as const),
      db: { backend: db.backend, version: db.version, reachable },
      broker: { kind: broker.kind, connected: bus.connected },
      components: registry.snapshot(),
    };
  });
};
export default health;
