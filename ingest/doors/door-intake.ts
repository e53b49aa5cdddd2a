// MQTT door intake: access/{propertyId}/{doorId}/events → validated, normalised door events, stored in batches and
// published on the bus. A message is acknowledged (PUBACK) only after its row — or its dead letter — is committed.
import { BatchWriter } from '../../core/db/batch-writer.ts';
import { isRowRefused } from '../../core/db/db.ts';
import { DoorEventsRepository } from '../../core/db/repositories/door-events.repository.ts';
import { DeadLettersRepository, reasonClass, type DeadLetter } from '../../core/db/repositories/dead-letters.repository.ts';
import { DOOR_INTAKE_FILTER } from '../../core/bus/topics.ts';
import type { ServiceContext } from '../../core/service.ts';
import type { DoorEvent, FaceCapture } from '../../core/events/index.ts';
import { decodeDoorMessage, type DecodeLimits } from './door-message.ts';
import { DoorDirectory } from './door-directory.ts';
import { DoorsRepository } from '../../core/db/repositories/doors.repository.ts';
import { CaptureStore } from '../captures/capture-store.ts';
import { retrying, StoppedError } from '../../core/retry.ts';
import { uuidFrom } from '../ids.ts';

export interface DoorIntakeStats {
  received: number;
  stored: number;
  duplicates: number;
  published: number;
  deadLetters: Record<string, number>;
  buffered: number;
  inFlight: number;
  degraded: boolean;
}

/** Clock skew tolerated on controller timestamps. */
const MAX_AHEAD_MS = 10 * 60_000;
/** Most events per bus message (a 2,000-row batch goes out as four messages of ~150 KB). */
const BUS_CHUNK = 500;

export class DoorIntake {
  private readonly events: BatchWriter<DoorEvent>;
  private readonly deadLetters: BatchWriter<DeadLetter>;
  private readonly directory: DoorDirectory;
  private readonly captures: CaptureStore;
  private readonly limits: DecodeLimits;
  private stopped = false;
  private inFlight = 0;
  private readonly counts = { received: 0, stored: 0, duplicates: 0, published: 0 };
  private readonly dead: Record<string, number> = {};

  constructor(
    private readonly ctx: ServiceContext,
    opts: {
      backoff?: { initialMs: number; maxMs: number };
      concurrency?: number;
      onCommitted?: (batch: readonly DoorEvent[]) => void;
    } = {},
  ) {
    const { config, db, log } = ctx;
    const backoff = opts.backoff ?? { initialMs: 100, maxMs: 5000 };
    const doorEvents = new DoorEventsRepository(db);
    this.events = new BatchWriter<DoorEvent>({
      name: 'door_events',
      maxBatch: config.batchSize,
      maxDelayMs: config.batchDelay,
      maxBuffer: config.writeBufferMax,
      concurrency: opts.concurrency ?? 2,
      backoff,
      log,
      refused: isRowRefused,
      write: async (batch) => {
        const inserted = await doorEvents.insertMany(batch);
        this.counts.stored += inserted;
        this.counts.duplicates += batch.length - inserted;
        opts.onCommitted?.(batch);
        // Published after the commit and before any of the batch is acknowledged, replays included (a crash may
        // have come between commit and publish): bus consumers get at-least-once and deduplicate by eventId.
        // Retried here rather than by the writer, so a broker hiccup does not count the batch as duplicates.
        await retrying(() => this.announce(batch), { ...backoff, stopped: () => this.stopped, log, what: 'announcing door events' });
      },
    });
    const letters = new DeadLettersRepository(db);
    this.deadLetters = new BatchWriter<DeadLetter>({
      name: 'dead_letters',
      maxBatch: 500,
      maxDelayMs: config.batchDelay,
      // One batch at a time: a letter's count is raised or its row inserted without a race on the fingerprint.
      concurrency: 1,
      maxBuffer: config.writeBufferMax,
      backoff,
      log,
      write: (batch) => letters.insertMany(batch),
    });
    this.directory = new DoorDirectory(new DoorsRepository(db), backoff, log);
    this.captures = new CaptureStore(config.dataDir);
    this.limits = { maxPayload: config.mqttMaxPayload, maxAgeMs: config.retentionEvents, maxAheadMs: MAX_AHEAD_MS };
  }

  async start(): Promise<void> {
    const doors = await this.directory.load();
    // The embedded broker: each controller publish is taken before aedes acknowledges it (its PUBACK would otherwise
    // come before the commit, and a kill -9 in between would lose it).
    const intercept = this.ctx.broker.intercept;
    if (intercept) {
      intercept(DOOR_INTAKE_FILTER, (topic, payload, redelivered) => this.handle(topic, payload, redelivered));
      this.ctx.log.info({ doors, filter: DOOR_INTAKE_FILTER }, 'door intake takes publishes inside the embedded broker');
      return;
    }
    // MQTT: a plain subscription on a persistent session survives broker restarts; a shared one (INGEST_SHARED)
    // scales out. JetStream: always the group's durable consumer on the MQTT gateway's stream, shared by every
    // instance and kept by the cluster across restarts of any instance or node.
    const group = this.ctx.config.ingestShared || this.ctx.bus.kind === 'jetstream' ? 'ingest' : undefined;
    await this.ctx.bus.subscribeRaw(DOOR_INTAKE_FILTER, (topic, payload, redelivered) => this.handle(topic, payload, redelivered), group);
    this.ctx.log.info({ doors, filter: DOOR_INTAKE_FILTER }, 'door intake subscribed');
  }

  /**
   * Stops taking work and waits (at most `graceMs`) until everything taken is committed. The subscription stays
   * in the persistent session, so the broker keeps what arrives meanwhile; anything unfinished is redelivered.
   */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    const until = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    if (this.inFlight > 0)
      this.ctx.log.warn({ inFlight: this.inFlight }, 'door intake stopped with messages unacknowledged; the broker redelivers them');
    // Bounded: with the broker away the last batch waits to be announced; its messages are redelivered anyway.
    const flushed = Promise.all([this.events.flush(), this.deadLetters.flush()]);
    await Promise.race([flushed, new Promise((r) => setTimeout(r, Math.max(0, until - Date.now())).unref())]);
  }

  get degraded(): boolean {
    return this.events.degraded || this.deadLetters.degraded;
  }

  stats(): DoorIntakeStats {
    return {
      ...this.counts,
      deadLetters: { ...this.dead },
      buffered: this.events.buffered + this.deadLetters.buffered,
      inFlight: this.inFlight,
      degraded: this.degraded,
    };
  }

  /** One message, start to commit; the bus sends its PUBACK when this resolves. */
  async handle(topic: string, raw: Buffer, redelivered = false): Promise<void> {
    // After stop, a message is left unacknowledged on purpose: the broker redelivers it to the next run.
    if (this.stopped) throw new StoppedError();
    this.inFlight++;
    try {
      this.counts.received++;
      const r = decodeDoorMessage(topic, raw, this.limits, this.ctx.clock.now());
      if (!r.ok) return await this.reject(topic, raw, r.reason, redelivered);
      const e = r.event;
      if (!this.directory.knows(e.propertyId, e.doorId) && !(await this.directory.has(e.propertyId, e.doorId, () => this.stopped))) {
        return await this.reject(topic, raw, `unknown_door: ${e.propertyId}/${e.doorId}`, redelivered);
      }
      if (r.image) {
        const jpeg = r.image;
        e.imagePath = await retrying(() => this.captures.save('door', e.eventId, e.ts, jpeg), {
          initialMs: 100,
          maxMs: 5000,
          stopped: () => this.stopped,
          log: this.ctx.log,
          what: 'saving a door image',
        });
      }
      // Resolves once the event's batch is committed and on the bus; an event the database refuses (one the
      // schema let through) becomes a dead letter with the database's words, and the rest of its batch is stored.
      try {
        await this.events.add(e);
      } catch (err) {
        if (!isRowRefused(err)) throw err;
        return await this.reject(topic, raw, `db_refused: ${(err as Error).message}`.slice(0, 300), redelivered);
      }
      if (e.imagePath) await this.ctx.bus.publish('faceCapture', { source: 'door' }, faceCaptureOf(e, e.imagePath));
    } finally {
      this.inFlight--;
    }
  }

  private async announce(batch: readonly DoorEvent[]): Promise<void> {
    for (let i = 0; i < batch.length; i += BUS_CHUNK) {
      const events = batch.slice(i, i + BUS_CHUNK);
      await this.ctx.bus.publish('doorEvents', {}, { events });
      this.counts.published += events.length;
    }
  }

  private async reject(topic: string, raw: Buffer, reason: string, redelivered: boolean): Promise<void> {
    const cls = reasonClass(reason);
    this.dead[cls] = (this.dead[cls] ?? 0) + 1;
    await this.deadLetters.add({ source: 'door', topic, reason, payload: raw, redelivered });
  }
}

export function faceCaptureOf(e: DoorEvent, imagePath: string): FaceCapture {
  const c: FaceCapture = {
    captureId: uuidFrom('door-capture', e.eventId),
    ts: e.ts,
    source: 'door',
    imagePath,
    propertyId: e.propertyId,
    doorId: e.doorId,
    doorEventId: e.eventId,
  };
  if (e.credentialId) c.credentialId = e.credentialId;
  if (e.personId) c.personId = e.personId;
  return c;
}
