// Sends what a worker stored in the bus outbox and did not send itself (killed between its commit and its
// publish): every few seconds, the entries past their hold are claimed, published and deleted.
import type { ServiceContext } from '../../core/service.ts';
import { OutboxRepository, type OutboxEntry, type StoredOutboxEntry } from '../../core/db/repositories/outbox.repository.ts';

const BATCH = 500;

export class OutboxRelay {
  readonly repo: OutboxRepository;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  /** Entries sent by the relay (a worker died before it sent them). */
  relayed = 0;

  constructor(
    private readonly ctx: Pick<ServiceContext, 'db' | 'bus' | 'config' | 'log'>,
    /** Sends an entry whose payload is built at sending time (a repair ticket's state). */
    private readonly sendBuilt: (e: OutboxEntry) => Promise<void>,
  ) {
    this.repo = new OutboxRepository(ctx.db);
  }

  start(): void {
    const every = Math.max(1000, Math.floor(this.ctx.config.outboxHold / 3));
    this.timer = setInterval(() => void this.drain(), every);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** Sends an entry as the worker that stored it would have. */
  send(e: OutboxEntry): Promise<void> {
    if (e.payload === undefined) return this.sendBuilt(e);
    return this.ctx.bus.publish(e.topic, e.params as never, e.payload as never);
  }

  /** One pass: claims what is due, sends it in order, deletes what was sent. */
  drain(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      for (;;) {
        const due: StoredOutboxEntry[] = await this.repo.claimDue(BATCH, this.ctx.config.outboxHold);
        if (due.length === 0) return;
        const sent: string[] = [];
        for (const e of due) {
          await this.send(e);
          sent.push(e.id);
        }
        await this.repo.remove(sent);
        this.relayed += sent.length;
        this.ctx.log.info({ entries: sent.length }, 'outbox: sent what a worker stored and did not send');
        if (due.length < BATCH) return;
      }
    } catch (err) {
      // What was claimed and not sent is due again when the claim runs out.
      this.ctx.log.warn({ err }, 'outbox relay pass failed');
    }
  }
}
