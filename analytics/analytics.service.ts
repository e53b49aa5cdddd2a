// Analytics as a service: consumes health samples, camera and door events on the `analytics` shared subscription
// (workers split the load), keeps camera state, tickets, escalation, coverage and door–camera alerts.
import type { Service, ServiceContext } from '../core/service.ts';
import { BatchWriter } from '../core/db/batch-writer.ts';
import { filterFor, type TopicName } from '../core/bus/topics.ts';
import { AlertsService } from './alerts/alerts.service.ts';
import { GridPlaces } from './alerts/grid-places.ts';
import { RepairsService } from './repairs/repairs.service.ts';
import { StatusProcessor, type TimedInput } from './status/status-processor.ts';
import { inputOfCameraEvent, inputOfSample } from './status/sample-input.ts';
import { CoverageService } from './coverage/coverage.service.ts';
import { DoorCorrelation } from './doors/door-correlation.ts';
import { OutboxRelay } from './outbox/outbox-relay.ts';

export const ANALYTICS_GROUP = 'analytics';

export class AnalyticsService implements Service {
  readonly name = 'analytics';
  readonly alerts: AlertsService;
  readonly places: GridPlaces;
  readonly repairs: RepairsService;
  readonly status: StatusProcessor;
  /** Sends what a worker stored in the bus outbox and died before sending. */
  readonly outbox: OutboxRelay;
  readonly coverage: CoverageService;
  readonly doors: DoorCorrelation;
  private readonly writer: BatchWriter<TimedInput>;
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private lastCoverage = 0;
  private coverageDirty = true;
  private stopped = false;

  private readonly group: string;

  /** `group` names the shared subscription; workers of one deployment use the same (tests use their own). */
  constructor(
    private readonly ctx: ServiceContext,
    opts: { group?: string } = {},
  ) {
    this.group = opts.group ?? ANALYTICS_GROUP;
    this.alerts = new AlertsService(ctx);
    this.places = new GridPlaces(ctx.db);
    this.repairs = new RepairsService(ctx, this.alerts, this.places);
    this.status = new StatusProcessor(ctx, this.repairs, this.alerts, this.places);
    this.outbox = new OutboxRelay(ctx, async (e) => {
      if (e.topic !== 'repairUpdated') throw new Error(`outbox entry on ${e.topic} has no payload`);
      await this.repairs.publish(e.params.ticketId);
    });
    this.coverage = new CoverageService(ctx, this.alerts, this.places);
    this.doors = new DoorCorrelation(ctx, this.alerts, this.places, this.coverage);
    this.status.onWatchingChanged = () => {
      this.coverageDirty = true;
    };
    this.writer = new BatchWriter<TimedInput>({
      name: 'analytics-status',
      write: (items) => this.status.process(items),
      maxBatch: ctx.config.batchSize,
      maxDelayMs: ctx.config.batchDelay,
      maxBuffer: ctx.config.writeBufferMax,
      // One batch at a time keeps each camera's samples in order within this worker.
      concurrency: 1,
      log: ctx.log,
    });
  }

  async start(): Promise<void> {
    const { bus, health } = this.ctx;
    health.register('analytics', () => ({
      degraded: this.writer.degraded,
      processed: this.status.processed,
      buffered: this.writer.buffered,
      shared: bus.shared,
      outboxRelayed: this.outbox.relayed,
    }));
    await bus.subscribe(
      'healthSample',
      (s) => this.writer.add({ cameraId: s.cameraId, ts: Date.parse(s.ts), input: inputOfSample(s) }),
      this.group,
    );
    await bus.subscribe(
      'cameraEvent',
      async (e) => {
        const input = inputOfCameraEvent(e);
        if (input) await this.writer.add({ cameraId: e.cameraId, ts: Date.parse(e.ts), input });
      },
      this.group,
    );
    await bus.subscribe(
      'doorEvents',
      async ({ events }) => {
        for (const e of events) await this.doors.handle(e);
      },
      this.group,
    );
    this.timer = setInterval(() => void this.tick(), this.ctx.config.analyticsTick);
    this.timer.unref();
    this.outbox.start();
  }

  /** Escalation, stability of cameras back up, and coverage when due. Runs one at a time. */
  tick(): Promise<void> {
    this.ticking ??= this.tickOnce().finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    if (this.stopped) return;
    const now = this.ctx.clock.now();
    try {
      await this.status.tick(now);
      await this.repairs.escalate(now);
      const due = Date.now() - this.lastCoverage >= this.ctx.config.coverageInterval;
      if (this.coverageDirty || due) {
        this.coverageDirty = false;
        this.lastCoverage = Date.now();
        await this.coverage.recompute(now);
      }
    } catch (err) {
      this.ctx.log.warn({ err }, 'analytics tick failed; next tick retries');
    }
  }

  /** Waits until everything received so far is processed (tests, shutdown). */
  async flush(): Promise<void> {
    await this.writer.flush();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    // Leave the shared group first: Mosquitto keeps handing a share of the group's messages to a persistent session
    // that is still subscribed while its client is away, and this worker may never come back under the same id.
    await Promise.all(
      (['healthSample', 'cameraEvent', 'doorEvents'] satisfies TopicName[]).map((n) =>
        this.ctx.bus.leave(filterFor(n), this.group).catch((err) => this.ctx.log.warn({ err }, 'unsubscribe failed')),
      ),
    );
    await this.ticking;
    await this.writer.close();
    await this.outbox.stop();
  }
}
