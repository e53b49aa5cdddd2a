// A gateway test context on the real servers: a fresh PostgreSQL database, a Mosquitto connection, a small city.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../core/config/index.ts';
import { connectBus } from '../../core/bus/connect.ts';
import { createLogger } from '../../core/log.ts';
import { systemClock } from '../../core/clock.ts';
import { HealthRegistry, type ServiceContext } from '../../core/service.ts';
import { CityRepository } from '../../core/db/repositories/city.repository.ts';
import { buildApp } from '../../gateway/app.ts';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { testCity } from './test-city.ts';

export const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const PASSWORD = 'test-password-1';

export interface GatewayTest {
  ctx: ServiceContext;
  app: FastifyInstance;
  testDb: TestDb;
  /** A token for a demo or bootstrap user (admin, monitor1, manager1, supervisor1). */
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

/** The address of a gateway started with `listen: true`. */
export function baseUrl(t: GatewayTest): string {
  const a = t.app.server.address();
  return `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
}

export async function gatewayTest(
  opts: { env?: Record<string, string>; city?: boolean; camerasPerCell?: number; testDb?: TestDb; listen?: boolean } = {},
): Promise<GatewayTest> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'gw-gateway-'));
  const testDb = opts.testDb ?? (await freshPgDb());
  const config: Config = loadConfig({
    DATA_DIR: dataDir,
    DATABASE_URL: testDb.url,
    MQTT_URL,
    SIMULATE: 'on',
    BOOTSTRAP_ADMIN_PASSWORD: PASSWORD,
    DEMO_PASSWORD: PASSWORD,
    LOGIN_RATE_LIMIT: '1000',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    // A deployment of its own on the shared Mosquitto: LIVE_CHANNEL names the share groups of the live push and the clip
    // recorder, so gateways of other test files are not handed this one's alerts in turn.
    LIVE_CHANNEL: `gw-test-${randomBytes(4).toString('hex')}`,
    ...opts.env,
  });
  if (opts.city !== false) await new CityRepository(testDb.db).importCity(testCity(opts.camerasPerCell));
  const log = createLogger(config.logLevel, 'test-gateway');
  // TEST_MQTT_URL=nats://… runs the gateway tests on the JetStream bus (delete its stream GRIDWATCH afterwards: the
  // share groups' durable consumers do not expire).
  const bus = await connectBus({ url: MQTT_URL, clientId: `gw-test-${randomBytes(4).toString('hex')}`, clean: true, log });
  const ctx: ServiceContext = {
    config,
    db: testDb.db,
    bus,
    broker: { kind: 'mosquitto', url: MQTT_URL },
    log,
    clock: systemClock,
    health: new HealthRegistry(),
  };
  let app: FastifyInstance;
  try {
    app = await buildApp(ctx);
    if (opts.listen) await app.listen({ port: 0, host: '127.0.0.1' });
    else await app.ready();
  } catch (err) {
    await bus.close().catch(() => {});
    if (!opts.testDb) await testDb.close();
    await rm(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    ctx,
    app,
    testDb,
    async login(username, password = PASSWORD) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } });
      if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
      return r.json().token as string;
    },
    async close() {
      await app.close();
      await bus.close().catch(() => {});
      if (!opts.testDb) await testDb.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}
