// GET /metrics at the root (Prometheus): events in, dead letters, queue depths, alerts and cameras by state,
// live clients. Unauthenticated like /api/v1/health: counts only, no records.
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { DeadLettersRepository } from '../../core/db/repositories/dead-letters.repository.ts';
import { DoorEventsRepository } from '../../core/db/repositories/door-events.repository.ts';
import { PromText, type Labels } from '../metrics/prometheus.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Counters the gateway keeps itself (live push), shown on /metrics. */
    liveStats: { clients: () => number; forwarded: Map<string, number> };
  }
}

const QUEUE_FIELD = /queue|buffer|pending|backlog|waiting|inflight|unacked|lag/i;

export default fp(
  async (app: FastifyInstance) => {
    const { db, bus, health } = app.ctx;
    const alerts = new AlertsRepository(db);
    const cameras = new CamerasRepository(db);
    const deadLetters = new DeadLettersRepository(db);
    const doorEvents = new DoorEventsRepository(db);
    app.decorate('liveStats', { clients: () => 0, forwarded: new Map<string, number>() });

    app.get(
      '/metrics',
      { schema: { tags: ['health'], summary: 'Prometheus metrics', produces: ['text/plain'] } },
      async (_request, reply) => {
        const [open, byStatus, dead, doors] = await Promise.all([
          alerts.countOpenBySeverity(),
          cameras.countByStatus(),
          deadLetters.occurrences(),
          doorEvents.count(),
        ]);
        const queues: Array<[Labels, number]> = [[{ queue: 'bus_unacked' }, bus.pending]];
        const gauges: Array<[Labels, number]> = [];
        // Components report numbers in their health; those named like a queue (buffered, queue, pending…) are depths.
        for (const [component, fields] of Object.entries(health.snapshot())) {
          for (const [field, value] of Object.entries(fields)) {
            if (typeof value !== 'number') continue;
            if (QUEUE_FIELD.test(field)) queues.push([{ queue: `${component}.${field}` }, value]);
            else gauges.push([{ component, field }, value]);
          }
        }
        const text = new PromText()
          .metric('gridwatch_door_events_total', 'counter', 'Door events stored.', [[{}, doors]])
          .metric('gridwatch_dead_letters_total', 'counter', 'Input rejected to dead letters.', [[{}, dead]])
          .metric('gridwatch_queue_depth', 'gauge', 'Messages or rows waiting, per queue.', queues)
          .metric(
            'gridwatch_alerts_open',
            'gauge',
            'Open alerts by severity.',
            Object.entries(open).map(([severity, n]) => [{ severity }, n]),
          )
          .metric(
            'gridwatch_cameras',
            'gauge',
            'Cameras by state.',
            Object.entries(byStatus).map(([status, n]) => [{ status }, n]),
          )
          .metric('gridwatch_live_clients', 'gauge', 'Connected dashboard (socket.io) clients on this gateway.', [
            [{}, app.liveStats.clients()],
          ])
          .metric(
            'gridwatch_live_messages_total',
            'counter',
            'Bus messages pushed to live clients, by topic.',
            [...app.liveStats.forwarded].map(([topic, n]) => [{ topic }, n]),
          )
          .metric('gridwatch_component', 'gauge', 'Other numbers components report in their health (counts, workers…).', gauges)
          .metric('gridwatch_bus_connected', 'gauge', '1 when the gateway is connected to the broker.', [[{}, bus.connected ? 1 : 0]]);
        return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text.toString());
      },
    );
  },
  { name: 'metrics', fastify: '5.x' },
);
