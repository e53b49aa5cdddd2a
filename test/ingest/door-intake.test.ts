// Door intake against a real Mosquitto (own instance) and PostgreSQL: valid events stored and published,
// every malformed kind in dead letters with its reason, face images on disk.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPgDb, type TestDb } from '../helpers/db.ts';
import { startMosquitto, type TestBroker } from './helpers/mosquitto.ts';
import { importTestCity, testContext } from './helpers/context.ts';
import { until } from './helpers/wait.ts';
import { DoorIntake } from '../../ingest/doors/door-intake.ts';
import { DoorEventsRepository, DeadLettersRepository } from '../../core/db/index.ts';
import { doorIntakeTopic } from '../../core/bus/topics.ts';
import type { ServiceContext } from '../../core/service.ts';
import type { DoorEvent, FaceCapture } from '../../core/events/index.ts';

describe('door intake', () => {
  let t: TestDb;
  let broker: TestBroker;
  let ctx: ServiceContext;
  let intake: DoorIntake;
  let pub: MqttClient;
  let listener: MqttClient;
  const onBus: { topic: string; payload: any }[] = [];
  let door: { propertyId: string; id: string };
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gw-ingest-data-'));

  beforeAll(async () => {
    [t, broker] = await Promise.all([freshPgDb(), startMosquitto()]);
    const city = await importTestCity(t.db);
    door = city.doors[0];
    ctx = await testContext(t.db, broker.url, { DATA_DIR: dataDir, MQTT_MAX_PAYLOAD: '2048' });
    intake = new DoorIntake(ctx);
    await intake.start();
    listener = await mqtt.connectAsync(broker.url);
    await listener.subscribeAsync(['gridwatch/events/doors', 'gridwatch/faces/capture/#'], { qos: 1 });
    // Door events travel in batches: one entry per event here.
    listener.on('message', (topic, buf) => {
      const payload = JSON.parse(buf.toString());
      for (const p of topic === 'gridwatch/events/doors' ? payload.events : [payload]) onBus.push({ topic, payload: p });
    });
    pub = await mqtt.connectAsync(broker.url);
  });

  afterAll(async () => {
    await intake?.stop();
    await pub?.endAsync();
    await listener?.endAsync();
    await ctx?.bus.close();
    await broker?.close();
    await t?.close();
  });

  const send = (payload: unknown, topic = doorIntakeTopic(door.propertyId, door.id)) =>
    pub.publishAsync(topic, typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload), { qos: 1 });

  it('when a controller publishes a valid event with a local-time offset, then it is stored in UTC and published once committed', async () => {
    const eventId = randomUUID();
    const local = new Date(Date.now() - 60_000);
    // The same instant written in China Standard Time (+08:00).
    const cst = new Date(local.getTime() + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
    await send({ eventId, ts: cst, type: 'granted', direction: 'in', credential: { kind: 'card', id: 'C-1' }, personId: 'P-9' });
    const list = await until(
      () => new DoorEventsRepository(t.db).list({ door: door.id }),
      (l) => l.total === 1,
      10_000,
      'stored event',
    );
    const e = list.items[0];
    expect(e).toMatchObject({
      eventId,
      propertyId: door.propertyId,
      doorId: door.id,
      type: 'granted',
      direction: 'in',
      credentialKind: 'card',
      credentialId: 'C-1',
      personId: 'P-9',
    });
    expect(e.ts).toBe(local.toISOString());
    const published = await until(
      () => onBus.filter((m) => m.payload.eventId === eventId),
      (l) => l.length > 0,
      10_000,
      'bus event',
    );
    expect(published[0].topic).toBe('gridwatch/events/doors');
    expect((published[0].payload as DoorEvent).ts).toBe(local.toISOString());
  });

  it('when the same event is published twice, then it is stored once', async () => {
    const body = { eventId: randomUUID(), ts: new Date().toISOString(), type: 'forced_open' };
    await send(body);
    await send(body);
    await until(
      () => onBus.filter((m) => m.payload.eventId === body.eventId).length,
      (n) => n === 2,
      10_000,
      'both published',
    );
    const list = await new DoorEventsRepository(t.db).list({ type: 'forced_open' });
    expect(list.total).toBe(1);
    expect(intake.stats().duplicates).toBeGreaterThanOrEqual(1);
  });

  it('when a face capture arrives, then its JPEG is written under DATA_DIR, its path stored and a face capture published', async () => {
    const jpeg = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#808080' } })
      .jpeg()
      .toBuffer();
    const eventId = randomUUID();
    await send({
      eventId,
      ts: new Date().toISOString(),
      type: 'face_capture',
      credential: { kind: 'face', id: 'F-1' },
      image: jpeg.toString('base64'),
    });
    const capture = await until(
      () => onBus.find((m) => m.topic === 'gridwatch/faces/capture/door' && m.payload.doorEventId === eventId),
      Boolean,
      10_000,
      'face capture',
    );
    const fc = capture!.payload as FaceCapture;
    expect(fc).toMatchObject({ source: 'door', propertyId: door.propertyId, doorId: door.id, credentialId: 'F-1' });
    expect(fc.imagePath.startsWith(path.resolve(dataDir))).toBe(true);
    expect(readFileSync(fc.imagePath).equals(jpeg)).toBe(true);
    const row = (await new DoorEventsRepository(t.db).list({ type: 'face_capture' })).items[0];
    expect(row.imagePath).toBe(fc.imagePath);
    expect(existsSync(row.imagePath!)).toBe(true);
  });

  it('when malformed messages arrive, then each lands in dead letters with its reason and intake keeps going', async () => {
    const ok = { eventId: randomUUID(), ts: new Date().toISOString(), type: 'granted' };
    await send('{not json');
    await send({ ...ok, eventId: 'nope' });
    await send({ ...ok, eventId: randomUUID(), type: 'exploded' });
    await send({ ...ok, eventId: randomUUID(), extra: 1 });
    await send({ ...ok, eventId: randomUUID(), padding: 'x'.repeat(3000) });
    await send({ ...ok, eventId: randomUUID() }, doorIntakeTopic(door.propertyId, 'no-such-door'));
    await send({ ...ok, eventId: randomUUID(), ts: '2026-13-45T99:00:00Z' });
    await send({ ...ok, eventId: randomUUID(), type: 'face_capture', image: Buffer.from('not a jpeg').toString('base64') });
    await send(ok);
    const letters = await until(
      () => new DeadLettersRepository(t.db).list({ source: 'door' }),
      (l) => l.total >= 8,
      10_000,
      'dead letters',
    );
    const reasons = letters.items.map((l) => l.reason).sort();
    expect(reasons.map((r) => r.split(':')[0])).toEqual(
      ['invalid_json', 'oversized', 'schema', 'schema', 'schema', 'schema', 'schema', 'unknown_door'].sort(),
    );
    expect(reasons.find((r) => r.startsWith('oversized'))).toMatch(/bytes > limit 2048/);
    expect(reasons.some((r) => r.startsWith('schema: eventId'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('schema: type'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('schema: ts'))).toBe(true);
    expect(reasons.some((r) => r.startsWith('schema: image'))).toBe(true);
    const bad = letters.items.find((l) => l.reason.startsWith('invalid_json'))!;
    expect(bad.payload).toBe('{not json');
    expect(bad.topic).toBe(doorIntakeTopic(door.propertyId, door.id));
    const oversized = letters.items.find((l) => l.reason.startsWith('oversized'))!;
    expect(oversized.size).toBeGreaterThan(3000);
    await until(
      () => new DoorEventsRepository(t.db).list({ door: door.id }),
      (l) => l.items.some((e) => e.eventId === ok.eventId),
      10_000,
      'valid event after bad ones',
    );
    expect(intake.stats().deadLetters).toMatchObject({ invalid_json: 1, oversized: 1, unknown_door: 1, schema: 5 });
  });

  it('when the same bad message arrives again, then its dead letter counts it; a redelivery of it is not counted', async () => {
    const garbage = `{"garbage": "${randomUUID()}"`;
    await send(garbage);
    await send(garbage);
    const repo = new DeadLettersRepository(t.db);
    const find = async () => (await repo.list({ source: 'door', limit: 1000 })).items.filter((l) => l.payload === garbage);
    const [letter] = await until(find, (l) => l.length === 1 && l[0].occurrences === 2, 10_000, 'one letter, two arrivals');
    expect(letter.reason).toMatch(/^invalid_json/);
    expect(Date.parse(letter.lastTs)).toBeGreaterThanOrEqual(Date.parse(letter.ts));
    // The broker's DUP redelivery (ingest stopped after storing the letter, before acknowledging): no new count.
    await intake.handle(doorIntakeTopic(door.propertyId, door.id), Buffer.from(garbage), true);
    expect(await find()).toMatchObject([{ occurrences: 2 }]);
    const total = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM dead_letters WHERE payload = $1', [garbage])).rows[0].n;
    expect(total).toBe(1);
  });

  it('when one event of a batch carries a NUL character or is refused by the database, then it alone is a dead letter saying why and the rest is stored', async () => {
    // A refusal the schema cannot foresee, made real: a constraint on this test's database.
    await t.db.query(`ALTER TABLE door_events ADD CONSTRAINT test_refused CHECK (credential_id IS DISTINCT FROM 'REFUSED-BY-DB')`);
    try {
      const ts = new Date().toISOString();
      const events = Array.from({ length: 40 }, (_, i) => ({
        eventId: randomUUID(),
        ts,
        type: 'granted',
        credential: { kind: 'card', id: i === 7 ? 'REFUSED-BY-DB' : i === 21 ? 'C\u0000-21' : `C-${i}` },
      }));
      // Sent together, so they share batches; with them, bytes that are not JSON and start with NUL (the parser's
      // message quotes them in the reason).
      const garbage = Buffer.concat([Buffer.from([0]), Buffer.from(`not json ${randomUUID()}`)]);
      await Promise.all([...events.map((e) => send(e)), send(garbage)]);
      const repo = new DeadLettersRepository(t.db);
      const letters = await until(
        async () =>
          (await repo.list({ source: 'door', limit: 1000 })).items.filter((l) => events.some((e) => l.payload?.includes(e.eventId))),
        (l) => l.length === 2,
        20_000,
        'two dead letters',
      );
      const [binary] = await until(
        async () =>
          (await repo.list({ source: 'door', limit: 1000 })).items.filter((l) => l.payload?.includes(garbage.subarray(1).toString())),
        (l) => l.length === 1,
        20_000,
        'the binary one',
      );
      expect(binary.reason).toMatch(/^invalid_json: Unexpected token '\uFFFD'/);
      const reasonOf = (i: number) => letters.find((l) => l.payload?.includes(events[i].eventId))?.reason;
      expect(reasonOf(21)).toBe('schema: credential.id: contains a NUL character (U+0000), which the database cannot store');
      expect(reasonOf(7)).toMatch(/^db_refused: .*test_refused/);
      const stored = await until(
        async () =>
          (await new DoorEventsRepository(t.db).list({ door: door.id, limit: 1000 })).items.filter((x) =>
            events.some((e) => e.eventId === x.eventId),
          ),
        (l) => l.length === 38,
        20_000,
        'the other 38 stored',
      );
      expect(stored.map((x) => x.credentialId).sort()).toEqual(
        events
          .filter((_, i) => i !== 7 && i !== 21)
          .map((e) => e.credential.id)
          .sort(),
      );
      expect(intake.stats().deadLetters).toMatchObject({ db_refused: 1 });
      expect(intake.degraded).toBe(false);
    } finally {
      await t.db.query('ALTER TABLE door_events DROP CONSTRAINT test_refused');
    }
  });
});
