// Known doors cached in memory: loaded once, a miss is checked against the database (doors added later),
// and a database error is retried with backoff rather than failing the message.
import type { DoorsRepository } from '../../core/db/repositories/doors.repository.ts';
import type { Logger } from '../../core/log.ts';
import { retrying } from '../../core/retry.ts';

export class DoorDirectory {
  private known = new Set<string>();

  constructor(
    private readonly repo: DoorsRepository,
    private readonly backoff = { initialMs: 100, maxMs: 5000 },
    private readonly log?: Logger,
  ) {}

  async load(): Promise<number> {
    const keys = await retrying(() => this.repo.allKeys(), { ...this.backoff, log: this.log, what: 'loading the doors' });
    this.known = new Set(keys);
    return keys.length;
  }

  /** Known without asking the database (the intake's fast path: no promise per message). */
  knows(propertyId: string, doorId: string): boolean {
    return this.known.has(`${propertyId}/${doorId}`);
  }

  async has(propertyId: string, doorId: string, stopped: () => boolean = () => false): Promise<boolean> {
    const key = `${propertyId}/${doorId}`;
    if (this.known.has(key)) return true;
    const found = await retrying(() => this.repo.exists(propertyId, doorId), {
      ...this.backoff,
      stopped,
      log: this.log,
      what: 'door lookup',
    });
    if (found) this.known.add(key);
    return found;
  }
}
