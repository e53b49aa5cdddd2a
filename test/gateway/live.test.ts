// Live push over socket.io: the handshake token, rooms per scope, bus topics forwarded only to who may see them,
// and two gateways fanning out through the real Redis without duplicates.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../core/socket/events.ts';
import { baseUrl, gatewayTest, REDIS_URL, type GatewayTest } from './gateway-context.ts';
import { alert, doorEvent } from './seed.ts';
import { freshPgDb } from '../helpers/db.ts';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
const cleanup: Array<() => Promise<unknown> | void> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A connected client that records every live message (by event name and id). */
async function client(t: GatewayTest, user: string, follow = true): Promise<{ socket: Client; got: string[]; rooms: string[] }> {
  const socket: Client = connect(baseUrl(t), { auth: { token: await t.login(user) }, transports: ['websocket'], forceNew: true });
  cleanup.push(() => void socket.close());
  const got: string[] = [];
  socket.on('alert', (a) => got.push(`alert:${a.alertId}`));
  socket.on('alert.updated', (a) => got.push(`alert.updated:${a.alertId}`));
  socket.on('door.event', (e) => got.push(`door.event:${e.eventId}`));
  socket.on('camera.status', (c) => got.push(`camera.status:${c.reason}`));
  socket.on('repair.updated', (r) => got.push(`repair.updated:${r.ticketId}`));
  const ready = await new Promise<{ rooms: string[] }>((resolve, reject) => {
    socket.once('ready', resolve);
    socket.once('connect_error', reject);
  });
  if (follow) await socket.timeout(5000).emitWithAck('follow', ['door.event']);
  return { socket, got, rooms: ready.rooms };
}

const mine = (got: string[], ids: Set<string>) => got.filter((g) => ids.has(g.split(':').slice(1).join(':'))).sort();

describe('one gateway', () => {
  it('when a client connects without a valid token, then the handshake is refused', async () => {
    const t = await gatewayTest({ listen: true });
    cleanup.push(() => t.close());
    for (const auth of [{}, { token: 'forged.token.here' }]) {
      const s: Client = connect(baseUrl(t), { auth, transports: ['websocket'], forceNew: true, reconnection: false });
      const err = await new Promise<Error>((resolve) => s.once('connect_error', resolve));
      expect(err.message).toBe('unauthorized');
      s.close();
    }
  });

  it('when the bus carries alerts, door events, camera states and repairs, then each role gets only its scope', async () => {
    const t = await gatewayTest({ listen: true });
    cleanup.push(() => t.close());
    const [admin, monitor, manager, supervisor] = await Promise.all(
      ['admin', 'monitor1', 'manager1', 'supervisor1'].map((u) => client(t, u)),
    );
    // A second admin screen that does not follow door events.
    const quiet = await client(t, 'admin', false);
    expect(monitor.rooms).toEqual(['district:d1', 'role:monitor']);
    expect(manager.rooms).toEqual(['property:p1', 'role:property_manager']);
    expect(admin.rooms).toEqual(['city', 'role:admin']);

    const a1 = alert({ kind: 'camera_offline', subjectKind: 'camera', subjectId: 'cam-001', place: { district: 'd1' } });
    const a2 = alert({ kind: 'door_forced', subjectId: 'p1-door1', propertyId: 'p1', place: { district: 'd1' } });
    const a3 = alert({ kind: 'door_forced', subjectId: 'p3-door1', propertyId: 'p3', place: { district: 'd2' } });
    const e1 = doorEvent('p1', 'p1-door1', 'granted');
    const e3 = doorEvent('p3', 'p3-door1', 'granted');
    const camReason = `test-${randomBytes(4).toString('hex')}`;
    const ticket = {
      ticketId: randomUUID(),
      cameraId: 'cam-002',
      outageId: randomUUID(),
      cause: 'unreachable' as const,
      state: 'open' as const,
      district: 'd1',
      openedAt: new Date().toISOString(),
      deadline: new Date().toISOString(),
      escalationLevel: 0,
    };
    const bus = t.ctx.bus;
    for (const a of [a1, a2, a3]) await bus.publish('alert', { kind: a.kind }, a);
    await bus.publish('alertUpdated', { kind: a2.kind }, { ...a2, state: 'acknowledged' });
    await bus.publish('doorEvents', {}, { events: [e1, e3] });
    await bus.publish(
      'cameraStatus',
      { cameraId: 'cam-007' },
      { cameraId: 'cam-007', ts: new Date().toISOString(), from: 'online', to: 'offline', reason: camReason },
    );
    await bus.publish('repairUpdated', { ticketId: ticket.ticketId }, ticket);

    const ids = new Set([a1.alertId, a2.alertId, a3.alertId, e1.eventId, e3.eventId, camReason, ticket.ticketId]);
    const all = [
      `alert:${a1.alertId}`,
      `alert:${a2.alertId}`,
      `alert:${a3.alertId}`,
      `alert.updated:${a2.alertId}`,
      `door.event:${e1.eventId}`,
      `door.event:${e3.eventId}`,
      `camera.status:${camReason}`,
      `repair.updated:${ticket.ticketId}`,
    ].sort();
    await expect.poll(() => mine(admin.got, ids), { timeout: 5000 }).toEqual(all);
    await expect
      .poll(() => mine(monitor.got, ids))
      .toEqual(
        [
          `alert:${a1.alertId}`,
          `alert:${a2.alertId}`,
          `alert.updated:${a2.alertId}`,
          `door.event:${e1.eventId}`,
          `repair.updated:${ticket.ticketId}`,
        ].sort(),
      );
    await expect
      .poll(() => mine(manager.got, ids))
      .toEqual([`alert:${a2.alertId}`, `alert.updated:${a2.alertId}`, `door.event:${e1.eventId}`].sort());
    await expect.poll(() => mine(supervisor.got, ids)).toEqual(all.filter((g) => !g.startsWith('door.event')));
    // Nothing more arrives late: the monitor never gets d2's camera, the manager never p3's door. A fence every one
    // of them may see, published after the rest, comes over the same bus connection and socket after anything late.
    const fence = alert({ kind: 'door_forced', subjectId: 'p1-door1', propertyId: 'p1', place: { district: 'd1' } });
    await bus.publish('alert', { kind: fence.kind }, fence);
    for (const c of [monitor, manager, quiet])
      await expect.poll(() => c.got.includes(`alert:${fence.alertId}`), { timeout: 5000 }).toBe(true);
    expect(mine(monitor.got, ids)).toHaveLength(5);
    expect(mine(manager.got, ids)).toHaveLength(3);
    expect(mine(quiet.got, ids)).toEqual(all.filter((g) => !g.startsWith('door.event')));
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(/^gridwatch_live_clients [1-9]\d*$/m);
  });
});

describe('token lifetime', () => {
  it('when the token of a live connection expires, then the server ends the connection', async () => {
    const t = await gatewayTest({ listen: true, city: false, env: { TOKEN_TTL: '2s' } });
    cleanup.push(() => t.close());
    const c = await client(t, 'admin');
    const reason = await new Promise<string>((resolve) => c.socket.once('disconnect', resolve));
    expect(reason).toBe('io server disconnect');
  });
});

describe('two gateways and Redis', () => {
  it('when REDIS_URL points nowhere, then the gateway does not start and says why', async () => {
    await expect(gatewayTest({ listen: true, city: false, env: { REDIS_URL: 'redis://127.0.0.1:1' } })).rejects.toThrow(
      /REDIS_URL: no answer from Redis at 127.0.0.1:1 within 5 s/,
    );
  }, 30_000);

  it('when an alert is published once, then clients on both gateways get it exactly once', async () => {
    const testDb = await freshPgDb();
    cleanup.push(() => testDb.close());
    const env = { REDIS_URL, LIVE_CHANNEL: `gw-test-${randomBytes(4).toString('hex')}` };
    const g1 = await gatewayTest({ listen: true, env, testDb });
    const g2 = await gatewayTest({ listen: true, env, testDb, city: false });
    cleanup.push(
      () => g2.close(),
      () => g1.close(),
    );
    const [c1, c2] = await Promise.all([client(g1, 'monitor1'), client(g2, 'monitor1')]);
    const sent = Array.from({ length: 6 }, () =>
      alert({ kind: 'door_forced', subjectId: 'p1-door1', propertyId: 'p1', place: { district: 'd1' } }),
    );
    for (const a of sent) await g1.ctx.bus.publish('alert', { kind: a.kind }, a);
    const ids = new Set(sent.map((a) => a.alertId));
    const want = sent.map((a) => `alert:${a.alertId}`).sort();
    await expect.poll(() => mine(c1.got, ids), { timeout: 5000 }).toEqual(want);
    await expect.poll(() => mine(c2.got, ids), { timeout: 5000 }).toEqual(want);
    const health = (await g2.app.inject({ url: '/api/v1/health' })).json();
    expect(health.components.live).toMatchObject({ clients: 1, redis: true, degraded: false });
    // With the shared subscription each gateway forwarded some; the adapter carried them to the other's clients.
    const forwarded = [g1, g2].map((g) => g.app.liveStats.forwarded.get('alert') ?? 0);
    expect(forwarded[0] + forwarded[1]).toBeGreaterThanOrEqual(6);
    // No copy late: a fence published after the rest reaches both clients first (each gateway keeps the bus order).
    const fence = alert({ kind: 'door_forced', subjectId: 'p1-door1', propertyId: 'p1', place: { district: 'd1' } });
    await g1.ctx.bus.publish('alert', { kind: fence.kind }, fence);
    for (const c of [c1, c2]) await expect.poll(() => c.got.includes(`alert:${fence.alertId}`), { timeout: 5000 }).toBe(true);
    expect(mine(c1.got, ids)).toHaveLength(6);
    expect(mine(c2.got, ids)).toHaveLength(6);
  });
});
