// Shares the cameras and the WS-Discovery probing of a network between ingest instances through leases in the
// database: each instance renews one lease every CAMERA_LEASE_RENEW; a camera free or held by a dead instance is
// taken by the live instance that rendezvous hashing names; when an instance joins, the others stop watching the
// cameras that move to it and only then hand them over, so no camera is ever watched twice.
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../../core/service.ts';
import { LeasesRepository, type Held } from '../../core/db/repositories/leases.repository.ts';
import { ownerOf } from './rendezvous.ts';

/** What the camera fleet offers the leases: watch exactly these cameras (the others closed before it resolves). */
export interface LeasedFleet {
  follow(held: Held[]): Promise<void>;
}

export interface CameraLeasesOptions {
  /** This instance's name, stable across restarts (a restart takes its cameras back at once). */
  instance: string;
}

const SERVICE = 'ingest';
/** Hashing of the held cameras is checked against the live instances every this many renewals, besides on changes. */
const REBALANCE_EVERY = 12;
/** Names whose lease lapsed this long ago are forgotten (an instance retired for good). */
const FORGET_AFTER_MS = 24 * 3600_000;

export class CameraLeases {
  readonly incarnation = randomUUID();
  readonly instance: string;
  private readonly repo: LeasesRepository;
  private fleet?: LeasedFleet;
  private live: string[] = [];
  private watching = new Set<string>();
  private prober = false;
  private timer?: NodeJS.Timeout;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private ticks = 0;
  /** After a change of instances, renewals come faster for a while, so handed-over cameras are taken at once. */
  private fastUntil = 0;
  /** The last renewal failed (database unreachable): the cameras stay watched, see tick(). */
  degraded = false;
  readonly counts = { taken: 0, handedOver: 0, lost: 0 };

  constructor(
    private readonly ctx: ServiceContext,
    opts: CameraLeasesOptions,
  ) {
    this.instance = opts.instance;
    this.repo = new LeasesRepository(ctx.db);
  }

  /** Joins and takes this instance's share before resolving (a single instance watches every camera at once). */
  async start(fleet: LeasedFleet): Promise<void> {
    this.fleet = fleet;
    await this.repo.join(this.instance, SERVICE, this.incarnation, this.ctx.config.cameraLeaseTtl);
    this.ctx.log.info({ instance: this.instance }, 'camera lease taken');
    this.running = this.tick();
    await this.running;
    this.schedule();
  }

  /** Whether this instance sends its network's discovery probes (asked once per discovery pass). */
  mayProbe(): boolean {
    if (this.prober) this.ctx.log.debug({ instance: this.instance }, 'discovery pass probes');
    return this.prober;
  }

  /** Stops renewing (the fleet then closes its cameras and calls leave()). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running.catch(() => {});
  }

  /** Gives up the lease: the cameras of this instance are free for the others at their next renewal. */
  async leave(): Promise<void> {
    await this.repo.leave(this.instance, this.incarnation).catch((err) => this.ctx.log.warn({ err }, 'camera lease not given up'));
  }

  stats(): Record<string, unknown> {
    return { instance: this.instance, instances: this.live.length, watching: this.watching.size, prober: this.prober, ...this.counts };
  }

  private schedule(): void {
    if (this.stopped) return;
    const renew = this.ctx.config.cameraLeaseRenew;
    const ms = Date.now() < this.fastUntil ? Math.max(100, renew / 5) : renew;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => {
          this.degraded = false;
        })
        .catch((err) => {
          // Database unreachable: nobody can take our cameras meanwhile without it either, so we keep watching them
          // (a camera watched twice for a while is better than one watched by nobody; events are idempotent).
          this.degraded = true;
          this.ctx.log.warn({ err }, 'camera lease not renewed');
        })
        .finally(() => this.schedule());
    }, ms);
  }

  /** One renewal: take orphaned cameras, hand over those that belong to a joined instance, watch what is held. */
  private async tick(): Promise<void> {
    const { config, log } = this.ctx;
    const me = this.instance;
    const first = await this.repo.renew(me, this.incarnation, SERVICE, config.cameraLeaseTtl);
    let live = first.live;
    if (!first.renewed) {
      // Our lease lapsed (paused beyond the TTL) or a newer process took our name: the cameras may be another's now.
      log.warn({ instance: me }, 'camera lease lost; letting go of every camera and joining again');
      this.counts.lost++;
      await this.follow([]);
      if (this.stopped) return;
      await this.repo.join(me, SERVICE, this.incarnation, config.cameraLeaseTtl);
      ({ live } = await this.repo.renew(me, this.incarnation, SERVICE, config.cameraLeaseTtl));
    }
    if (this.stopped) return;
    const changed = live.join('\n') !== this.live.join('\n');
    if (changed) {
      log.info({ instance: me, instances: live }, 'ingest instances changed');
      this.fastUntil = Date.now() + 2 * config.cameraLeaseRenew;
    }
    this.live = live;

    // Free cameras and those of dead instances: each is taken by the live instance the hash names.
    const mine = (await this.repo.orphans()).filter((id) => ownerOf(id, live) === me);
    if (mine.length) {
      const got = await this.repo.claim(me, this.incarnation, mine);
      this.counts.taken += got.length;
      if (got.length) log.info({ instance: me, taken: got.length }, 'cameras taken');
    }
    let held = await this.repo.held(me, this.incarnation);
    if (changed || this.ticks % REBALANCE_EVERY === 0) {
      const give = new Map<string, string[]>();
      for (const h of held) {
        const to = ownerOf(h.id, live);
        if (to && to !== me) give.set(to, [...(give.get(to) ?? []), h.id]);
      }
      if (give.size) {
        // Stop watching first, hand over after: the new holder cannot start before we stopped.
        await this.follow(held.filter((h) => ownerOf(h.id, live) === me));
        for (const [to, ids] of give) {
          const moved = await this.repo.handOver(me, to, ids);
          this.counts.handedOver += moved.length;
          if (moved.length) log.info({ instance: me, to, cameras: moved.length }, 'cameras handed over');
        }
        // Whatever could not be handed over (its instance died meanwhile) is still ours.
        held = await this.repo.held(me, this.incarnation);
      }
    }
    await this.follow(held);
    const prober = await this.repo.claimProber(config.discoveryNetwork, me, this.incarnation);
    if (prober !== this.prober)
      log.info(
        { instance: me, network: config.discoveryNetwork, prober },
        prober ? 'discovery prober of the network' : 'no longer the discovery prober',
      );
    this.prober = prober;
    if (this.ticks % 720 === 0) await this.repo.forgetExpired(FORGET_AFTER_MS);
    this.ticks++;
  }

  /** Hands the fleet its cameras; logs which started and which stopped (after they stopped). */
  private async follow(held: Held[]): Promise<void> {
    if (!this.fleet) return;
    const next = new Set(held.map((h) => h.id));
    const started = held.filter((h) => !this.watching.has(h.id)).map((h) => h.id);
    const stopped = [...this.watching].filter((id) => !next.has(id));
    await this.fleet.follow(held);
    this.watching = next;
    if (stopped.length) this.ctx.log.debug({ instance: this.instance, cameras: stopped }, 'cameras let go');
    if (started.length) this.ctx.log.debug({ instance: this.instance, cameras: started }, 'cameras watched');
  }
}
