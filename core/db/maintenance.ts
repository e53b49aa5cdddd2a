// Periodic storage upkeep: partitions ahead, retention, rollup refresh. On a TimescaleDB server the policies
// do the same work by themselves; running it there too is harmless (and needed on the PGlite builds).
import type { Service, ServiceContext } from '../service.ts';
import { MaintenanceRepository } from './repositories/maintenance.repository.ts';

export class StorageMaintenance implements Service {
  readonly name = 'storage-maintenance';
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly repo: MaintenanceRepository;
  lastRun: string | undefined;
  lastError: string | undefined;

  constructor(private readonly ctx: Pick<ServiceContext, 'db' | 'config' | 'log' | 'clock' | 'health'>) {
    this.repo = new MaintenanceRepository(ctx.db);
  }

  async start(): Promise<void> {
    await this.repo.setRetention(this.ctx.config.retentionEvents);
    await this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.ctx.config.maintenanceInterval);
    this.timer.unref();
    this.ctx.health.register('storage', () => ({ lastRun: this.lastRun, lastError: this.lastError }));
  }

  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        const now = this.ctx.clock.now();
        await this.repo.ensureAhead(now);
        const dropped = await this.repo.applyRetention(now);
        await this.repo.refreshRollups();
        this.lastRun = now.toISOString();
        this.lastError = undefined;
        if (dropped > 0) this.ctx.log.info({ dropped }, 'retention dropped old partitions');
      } catch (err) {
        this.lastError = String(err);
        this.ctx.log.warn({ err }, 'storage maintenance failed; will retry');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
