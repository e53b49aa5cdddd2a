// Builds a ServiceContext for ingest tests from a database, a broker URL and setting overrides (env names).
import { loadConfig } from '../../../core/config/index.ts';
import { Bus } from '../../../core/bus/bus.ts';
import { createLogger } from '../../../core/log.ts';
import { systemClock, type Clock } from '../../../core/clock.ts';
import { HealthRegistry, type ServiceContext } from '../../../core/service.ts';
import type { Db } from '../../../core/db/db.ts';
import { CityRepository } from '../../../core/db/repositories/city.repository.ts';
import { generateCity } from '../../../fixtures/city/generate-city.ts';
import type { City } from '../../../core/city/city.schema.ts';

export async function testContext(
  db: Db,
  mqttUrl: string,
  env: Record<string, string> = {},
  opts: { clientId?: string; clock?: Clock } = {},
): Promise<ServiceContext> {
  const config = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: 'postgres://x@127.0.0.1/x',
    MQTT_URL: mqttUrl,
    ...env,
  });
  const log = createLogger(config.logLevel, 'ingest-test');
  const bus = await Bus.connect({
    url: mqttUrl,
    clientId: opts.clientId ?? `gw-ingest-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
    log,
  });
  return {
    config,
    db,
    bus,
    broker: { kind: 'mosquitto', url: mqttUrl },
    log,
    clock: opts.clock ?? systemClock,
    health: new HealthRegistry(),
  };
}

/** Imports a small generated city (grid, compounds, doors, camera placements) and returns it. */
export async function importTestCity(db: Db, opts: { cameras?: number; doors?: number; seed?: number } = {}): Promise<City> {
  const city = generateCity({ seed: opts.seed ?? 7, cameras: opts.cameras ?? 20, doors: opts.doors ?? 10 });
  await new CityRepository(db).importCity(city);
  return city;
}
