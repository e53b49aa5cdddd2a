// Raising alerts: stored once per dedup key, then published on the bus for the gateway's live push.
import { randomUUID } from 'node:crypto';
import type { Alert } from '../../core/events/index.ts';
import { AlertsRepository } from '../../core/db/repositories/alerts.repository.ts';
import type { ServiceContext } from '../../core/service.ts';

export type NewAlert = Omit<Alert, 'alertId' | 'ts' | 'state'> & { ts?: string };

export class AlertsService {
  readonly repo: AlertsRepository;
  constructor(private readonly ctx: Pick<ServiceContext, 'db' | 'bus' | 'clock'>) {
    this.repo = new AlertsRepository(ctx.db);
  }

  /**
   * Stores and publishes the alert; with a dedupKey that was raised before, does nothing and returns undefined
   * (one alert per level, never a storm — and safe when two workers or a redelivery raise the same one).
   */
  async raise(input: NewAlert): Promise<Alert | undefined> {
    const alert = this.build(input);
    if (!(await this.repo.insert(alert))) return undefined;
    await this.publishNew(alert);
    return alert;
  }

  /** The alert as `raise` would store it (callers that store it in their own transaction, then `publishNew`). */
  build(input: NewAlert): Alert {
    return { ...input, alertId: randomUUID(), ts: input.ts ?? this.ctx.clock.now().toISOString(), state: 'open' };
  }

  async publishNew(alert: Alert): Promise<void> {
    await this.ctx.bus.publish('alert', { kind: alert.kind }, alert);
  }

  /** Publishes an alert whose state changed (acknowledged, resolved) for the gateway's live push. */
  async publishUpdate(alert: Alert): Promise<void> {
    await this.ctx.bus.publish('alertUpdated', { kind: alert.kind }, alert);
  }
}
