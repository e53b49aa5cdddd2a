// Live push: socket.io on the gateway's port, the token checked in the handshake, one room per scope, and the bus
// topics alert, alertUpdated, cameraStatus, doorEvent and repairUpdated forwarded to the rooms allowed to see them.
// With REDIS_URL the redis adapter fans out across gateways, and the gateways share the bus subscription (one
// forwards each message); alone, a gateway subscribes plainly and needs no Redis.
import { randomBytes } from 'node:crypto';
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import { connectBus } from '../../core/bus/connect.ts';
import {
  room,
  roomsFor,
  scopeRoomsFor,
  type ClientToServerEvents,
  type FollowedEvent,
  type ServerToClientEvents,
  type SocketData,
} from '../../core/socket/events.ts';
import { alertRooms, cameraRooms, doorEventRooms, repairRooms } from '../live/routing.ts';
import { PlaceCache } from '../live/place-cache.ts';

function tokenOf(handshake: { auth: unknown; query: Record<string, unknown> }): string {
  const t = (handshake.auth as { token?: unknown } | undefined)?.token ?? handshake.query.token;
  return typeof t === 'string' ? t : '';
}

const FOLLOWABLE: readonly unknown[] = ['door.event'] satisfies FollowedEvent[];

export type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

declare module 'fastify' {
  interface FastifyInstance {
    io: LiveServer;
  }
}

export default fp(
  async (app: FastifyInstance) => {
    const { config, db, log, broker } = app.ctx;
    const io: LiveServer = new Server(app.server, { path: '/socket.io', serveClient: false, cors: { origin: false } });
    app.decorate('io', io);
    app.liveStats.clients = () => io.engine.clientsCount;

    let redis: Array<{ quit(): Promise<unknown>; isReady: boolean }> = [];
    if (config.redisUrl) {
      const pub = createClient({ url: config.redisUrl });
      const sub = pub.duplicate();
      for (const c of [pub, sub]) c.on('error', (err: Error) => log.warn({ err }, 'redis (socket.io adapter) error'));
      // node-redis retries a refused connection forever: a gateway told to use Redis fails its start instead.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`REDIS_URL: no answer from Redis at ${new URL(config.redisUrl!).host} within 5 s`)),
          5_000,
        );
      });
      try {
        await Promise.race([Promise.all([pub.connect(), sub.connect()]), timeout]);
      } catch (err) {
        await Promise.all([pub, sub].map((c) => c.destroy?.()));
        throw err;
      } finally {
        clearTimeout(timer);
      }
      io.adapter(createAdapter(pub, sub, { key: config.liveChannel }));
      redis = [pub, sub];
    }

    io.use((socket, next) => {
      const token = tokenOf(socket.handshake);
      try {
        if (!token) throw new Error('missing token');
        socket.data.user = app.verifyToken(token);
        next();
      } catch {
        next(new Error('unauthorized'));
      }
    });
    io.on('connection', (socket) => {
      const rooms = roomsFor(socket.data.user);
      void socket.join(rooms);
      // A live connection lasts no longer than its token: the client logs in again and reconnects.
      const exp = (app.jwt.decode<{ exp?: number }>(tokenOf(socket.handshake)) ?? {}).exp;
      if (exp) {
        const timer = setTimeout(() => socket.disconnect(true), Math.max(0, exp * 1000 - Date.now()));
        socket.once('disconnect', () => clearTimeout(timer));
      }
      // Followed events join the follower rooms of the user's own scope only: the scope is the server's, never the client's.
      const followRooms = (events: unknown) =>
        (Array.isArray(events) ? events : [])
          .filter((e): e is FollowedEvent => FOLLOWABLE.includes(e))
          .flatMap((e) => scopeRoomsFor(socket.data.user).map((r) => room.following(e, r)));
      socket.on('follow', async (events, done) => {
        await socket.join(followRooms(events));
        if (typeof done === 'function') done();
      });
      socket.on('unfollow', (events) => {
        for (const r of followRooms(events)) void socket.leave(r);
      });
      socket.emit('ready', { user: socket.data.user.username, role: socket.data.user.role, rooms });
    });

    // The live push has its own broker connection, with a clean session: after a restart it starts from now rather
    // than replaying what it missed to screens, and its plain subscriptions never share a connection with a
    // service's shared ones (a broker delivers a message once per matching subscription of a connection).
    const bus = await connectBus({
      url: broker.url,
      clientId: `gridwatch-live-${randomBytes(4).toString('hex')}`,
      clean: true,
      protocolVersion: broker.kind === 'embedded' ? 4 : 5,
      log,
    });
    // Shown by /api/v1/health: cut off from the broker or the Redis fan-out, this gateway's screens miss pushes.
    app.ctx.health.register('live', () => ({
      clients: io.engine.clientsCount,
      broker: bus.connected,
      redis: redis.length > 0,
      degraded: !bus.connected || redis.some((c) => !c.isReady),
    }));
    const places = new PlaceCache(db);
    const count = (topic: string) => app.liveStats.forwarded.set(topic, (app.liveStats.forwarded.get(topic) ?? 0) + 1);
    let closed = false;
    const group = config.redisUrl ? `live-${config.liveChannel}` : undefined;
    await bus.subscribe(
      'alert',
      async (a) => {
        if (closed) return;
        io.to(alertRooms(a)).emit('alert', a);
        count('alert');
      },
      group,
    );
    await bus.subscribe(
      'alertUpdated',
      async (a) => {
        if (closed) return;
        io.to(alertRooms(a)).emit('alert.updated', a);
        count('alertUpdated');
      },
      group,
    );
    await bus.subscribe(
      'cameraStatus',
      async (c) => {
        if (closed) return;
        const where = await places.camera(c.cameraId);
        io.to(cameraRooms(where.districtId)).emit('camera.status', { ...c, ...where });
        count('cameraStatus');
      },
      group,
    );
    await bus.subscribe(
      'doorEvents',
      async ({ events }) => {
        for (const e of events) {
          if (closed) return;
          const districtId = await places.propertyDistrict(e.propertyId);
          const { rooms, except } = doorEventRooms(e.propertyId, districtId);
          io.to(rooms)
            .except(except)
            .emit('door.event', { ...e, districtId });
          count('doorEvent');
        }
      },
      group,
    );
    await bus.subscribe(
      'repairUpdated',
      async (t) => {
        if (closed) return;
        const { rooms, except } = repairRooms(t);
        io.to(rooms).except(except).emit('repair.updated', t);
        count('repairUpdated');
      },
      group,
    );

    app.addHook('preClose', async () => {
      closed = true;
      io.disconnectSockets(true);
      // Not io.close(): it would close the HTTP server that fastify closes itself.
      io.engine.close();
      await bus.close().catch(() => {});
      for (const c of redis) await c.quit().catch(() => {});
    });
  },
  { name: 'live', fastify: '5.x', dependencies: ['auth', 'metrics'] },
);
