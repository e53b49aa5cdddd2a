// The door intake on the embedded broker (aedes, the all-in-one default): a controller's publish is acknowledged only
// once its row (or its dead letter) is committed, as on Mosquitto, so a kill -9 loses nothing acknowledged
// (measured at load: `CHAOS_ONLY="embedded broker" npm run chaos`).
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../core/config/index.ts';
import { openRuntime, type Runtime } from '../../core/runtime.ts';
import { doorIntakeTopic } from '../../core/bus/topics.ts';
import { DeadLettersRepository, DoorEventsRepository } from '../../core/db/index.ts';
import { DoorIntake } from '../../ingest/doors/door-intake.ts';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { importTestCity } from './helpers/context.ts';

let t: TestDb;
let rt: Runtime;
let intake: DoorIntake;
let controller: MqttClient;
let door: { propertyId: string; id: string };

beforeAll(async () => {
  t = await freshPgDb();
  door = (await importTestCity(t.db, { cameras: 1, doors: 2 })).doors[0];
  const config = loadConfig({
    DATABASE_URL: t.url!,
    MQTT_URL: '',
    MQTT_EMBEDDED_PORT: '0',
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gw-embedded-intake-')),
    LOG_LEVEL: 'silent',
  });
  rt = await openRuntime({ name: 'embedded-intake-test', config });
  expect(rt.broker.kind).toBe('embedded');
  controller = await mqtt.connectAsync(rt.broker.url, { protocolVersion: 4, clientId: `ctl-${randomUUID()}` });
});
afterAll(async () => {
  await controller?.endAsync();
  await intake?.stop();
  await rt?.shutdown();
  await t?.close();
});

it('when a controller publishes before the intake has started (a reconnect during start-up), then the publish waits unacknowledged and is stored once it starts', async () => {
  const early = { eventId: randomUUID(), ts: new Date().toISOString(), type: 'granted' };
  let acked = false;
  const sent = controller
    .publishAsync(doorIntakeTopic(door.propertyId, door.id), JSON.stringify(early), { qos: 1 })
    .then(() => (acked = true));
  // Other topics are not held.
  await controller.publishAsync('gridwatch/test/other', 'x', { qos: 1 });
  expect(acked).toBe(false);
  intake = new DoorIntake(rt);
  await intake.start();
  await sent;
  expect(await new DoorEventsRepository(t.db).get(early.eventId, early.ts)).toBeDefined();
});

it('when a controller publishes at QoS 1, then by the time its PUBACK arrives the event or its dead letter is committed', async () => {
  const events = Array.from({ length: 50 }, () => ({ eventId: randomUUID(), ts: new Date().toISOString(), type: 'granted' }));
  const bad = `{"not json ${randomUUID()}`;
  // publishAsync resolves on the PUBACK.
  await Promise.all([
    ...events.map((e) => controller.publishAsync(doorIntakeTopic(door.propertyId, door.id), JSON.stringify(e), { qos: 1 })),
    controller.publishAsync(doorIntakeTopic(door.propertyId, door.id), bad, { qos: 1 }),
  ]);
  // No waiting: acknowledged means stored.
  const repo = new DoorEventsRepository(t.db);
  const found = await Promise.all(events.map((e) => repo.get(e.eventId, e.ts)));
  expect(found.filter((x) => x === undefined)).toHaveLength(0);
  const letters = (await new DeadLettersRepository(t.db).list({ source: 'door', limit: 100 })).items;
  expect(letters.filter((l) => l.payload === bad)).toHaveLength(1);
  expect(intake.stats()).toMatchObject({ stored: 51, deadLetters: { invalid_json: 1 } });
});
