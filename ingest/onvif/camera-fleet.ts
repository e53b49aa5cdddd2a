// All cameras ingest watches: found by WS-Discovery and by configured address, identified by endpoint urn,
// inventoried, subscribed to events, heart-beaten every HEALTH_INTERVAL with bounded concurrency and
// stream-checked every STREAM_CHECK_INTERVAL with ffmpeg.
import { randomUUID } from 'node:crypto';
import type { ServiceContext } from '../../core/service.ts';
import { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import type { CameraEvent, CameraHealthSample, FaceCapture } from '../../core/events/index.ts';
import { CredentialCipher, type CameraCredentials } from '../../core/credentials/credential-cipher.ts';
import { CameraCredentialBook } from './credentials.ts';
import { parseCameraAddresses } from './camera-addresses.ts';
import { directedProbeAll, normaliseXaddr, probeAll, type Discovered, type UnparsedReply } from './discovery.ts';
import { WatchedCamera } from './watched-camera.ts';
import { CameraSinks } from './camera-sinks.ts';
import { deviceInformation, resolveUrn } from './camera-identity.ts';
import { checkStream } from './stream-check.ts';
import { judgeStream } from './stream-judge.ts';
import { fetchSnapshot } from './snapshots.ts';
import { CaptureStore } from '../captures/capture-store.ts';
import { Limit } from '../limit.ts';
import { uuidFrom } from '../ids.ts';

export interface CameraFleetOptions {
  /** Send WS-Discovery probes (default true). */
  discovery?: boolean;
  /** Device-service URLs to add besides CAMERA_ADDRESSES. */
  addresses?: string[];
  /** UDP port of directed WS-Discovery probes (3702; tests run their responder elsewhere). */
  probePort?: number;
  /** Several ingest instances (ingest/fleet/camera-leases.ts): which cameras this one watches, and whether it probes. */
  share?: FleetShare;
}

/** The leases side of a shared fleet: it calls follow() with the cameras this instance holds. */
export interface FleetShare {
  start(fleet: { follow(held: { id: string; xaddr: string }[]): Promise<void> }): Promise<void>;
  mayProbe(): boolean;
  stop(): Promise<void>;
  leave(): Promise<void>;
}

/** Probes a camera must miss in a row before it is recorded as vanished. */
const VANISH_AFTER_MISSES = 3;

export class CameraFleet {
  readonly cameras = new Map<string, WatchedCamera>();
  readonly sinks: CameraSinks;
  private readonly repo: CamerasRepository;
  private readonly captures: CaptureStore;
  private cipher!: CredentialCipher;
  private book!: CameraCredentialBook;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly misses = new Map<string, number>();
  /** Per camera, the inventory calls that failed last time (so a warning is logged only when that changes). */
  private readonly inventoryFailures = new Map<string, string>();
  private readonly heartbeats: Limit;
  /** When each camera last had a heartbeat out of turn (see checkSoon). */
  private readonly earlyChecks = new Map<string, number>();
  private readonly streamChecks: Limit;
  private readonly prepares: Limit;
  private stopped = false;
  /** WS-Discovery replies that named no camera, all told (stats), and the senders last warned about. */
  private discoveryUnparsed = 0;
  private readonly unparsedWarned = new Set<string>();
  /** Cameras whose endpoint urn changed and were matched to their row by serial number and hardware id. */
  private urnChanges = 0;
  /** Shared fleet: follow() has run once (later, cameras it adds were someone else's). */
  private followed = false;
  rounds = 0;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly opts: CameraFleetOptions = {},
  ) {
    this.repo = new CamerasRepository(ctx.db);
    this.sinks = new CameraSinks(ctx);
    this.captures = new CaptureStore(ctx.config.dataDir);
    this.heartbeats = new Limit(ctx.config.healthConcurrency);
    this.streamChecks = new Limit(ctx.config.streamCheckConcurrency);
    // Preparing is about ten SOAP calls; a quarter of the heartbeat concurrency keeps room for heartbeats.
    this.prepares = new Limit(Math.max(1, Math.floor(ctx.config.healthConcurrency / 4)));
  }

  async start(): Promise<void> {
    const { config } = this.ctx;
    this.cipher = await CredentialCipher.fromConfig(config);
    this.book = new CameraCredentialBook(this.cipher, this.repo, {
      file: config.cameraCredentialsFile,
      defaults: this.defaults(),
      log: this.ctx.log,
    });
    await this.book.load(true);
    await this.book.refresh();
    if (this.opts.share) await this.opts.share.start(this);
    else for (const t of await this.repo.watchTargets()) this.watch(t.id, t.xaddr, this.book.current(t.id));
    // Credentials set through the API apply at once; the discovery pass still catches a notice this process missed.
    // No group: every ingest process prepares its own watchers again.
    await this.ctx.bus.subscribe('cameraCredentialsChanged', async ({ cameraId }) => {
      if (!this.stopped) await this.refreshCredentials(cameraId);
    });
    const every = (ms: number, fn: () => Promise<unknown>) => {
      const t = setInterval(() => void fn().catch((err) => this.ctx.log.warn({ err }, 'camera task failed')), ms);
      this.timers.push(t);
    };
    every(config.discoveryInterval, () => this.discover());
    every(config.healthInterval, () => this.checkAll(true));
    every(config.streamCheckInterval, () => this.checkStreams());
    // The first discovery (probe replies take DISCOVERY_TIMEOUT) runs in the background, then the first round.
    this.firstDiscovery = this.discover()
      .then(() => undefined)
      .catch((err) => void (this.stopped || this.ctx.log.warn({ err }, 'discovery failed')));
    void this.firstDiscovery
      .then(() => this.checkAll(true))
      .catch((err) => void (this.stopped || this.ctx.log.warn({ err }, 'first camera round failed')));
  }

  /** Resolves after the first discovery pass. */
  firstDiscovery: Promise<void> = Promise.resolve();

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.opts.share?.stop();
    await Promise.all([...this.cameras.values()].map((w) => w.close()));
    await this.opts.share?.leave();
    await this.sinks.close();
  }

  get degraded(): boolean {
    return this.sinks.degraded;
  }

  stats(): Record<string, unknown> {
    const byState: Record<string, number> = {};
    for (const w of this.cameras.values()) byState[w.state] = (byState[w.state] ?? 0) + 1;
    return {
      watched: this.cameras.size,
      byState,
      rounds: this.rounds,
      discoveryUnparsed: this.discoveryUnparsed,
      urnChanges: this.urnChanges,
      ...this.sinks.counts,
    };
  }

  /** One discovery pass: WS-Discovery probe plus configured addresses; records new, moved and vanished cameras. */
  async discover(): Promise<Discovered[]> {
    const { config, log } = this.ctx;
    // Sharing the cameras, one instance per network probes; the others only re-read the credentials.
    if (this.opts.share && !this.opts.share.mayProbe()) {
      await this.refreshCredentials();
      return [];
    }
    const found: Discovered[] = [];
    const unparsed: UnparsedReply[] = [];
    if (this.opts.discovery !== false) {
      const r = await probeAll({ timeoutMs: config.discoveryTimeout, device: config.discoveryInterface });
      found.push(...r.found);
      unparsed.push(...r.unparsed);
    }
    const addresses = [...parseCameraAddresses(config.cameraAddresses), ...(this.opts.addresses ?? [])];
    // Cameras by address: one directed probe per host tells the urns; the rest are asked one by one.
    const hosts = [...new Set(addresses.map((a) => new URL(a).hostname))];
    const directed = new Map<string, string>();
    for (const r of await Promise.all(
      hosts.map((h) => directedProbeAll(h, config.discoveryTimeout, this.opts.probePort).catch(() => ({ found: [], unparsed: [] }))),
    )) {
      for (const d of r.found) directed.set(d.xaddr, d.urn);
      unparsed.push(...r.unparsed);
    }
    this.noteUnparsed(unparsed);
    const limit = new Limit(config.healthConcurrency);
    const byAddress: Discovered[] = [];
    await Promise.all(
      addresses.map((xaddr) =>
        limit.run(async () => {
          const urn =
            directed.get(normaliseXaddr(xaddr)) ??
            (await resolveUrn(xaddr, this.book.forAddress(xaddr), config.healthTimeout, this.repo).catch(() => undefined));
          if (urn) byAddress.push({ urn, xaddr });
          // Not even its urn could be learned (unreachable, or refusing us): said once per address, not silently dropped.
          else if (!this.unparsedWarned.has(`addr:${xaddr}`)) {
            this.unparsedWarned.add(`addr:${xaddr}`);
            log.warn(
              { xaddr },
              'camera added by address did not answer with its identity (unreachable or credentials refused); will retry each discovery pass',
            );
          }
          if (urn) this.unparsedWarned.delete(`addr:${xaddr}`);
        }),
      ),
    );
    for (const d of byAddress) if (!found.some((f) => f.urn === d.urn)) found.push(d);
    await this.matchChangedUrns(found);
    const fresh: { id: string; xaddr: string }[] = [];
    for (const d of found) {
      if (this.stopped) break;
      const seen = await this.repo.recordSeen(
        d.urn,
        d.xaddr,
        `cam-${d.urn.replace(/^urn:(uuid:)?/, '').replace(/[^A-Za-z0-9_.:-]/g, '-')}`,
        this.ctx.clock.now(),
      );
      this.misses.delete(seen.id);
      if (seen.created) log.info({ camera: seen.id, urn: d.urn, xaddr: d.xaddr }, 'new camera');
      if (seen.moved) log.info({ camera: seen.id, xaddr: d.xaddr }, 'camera moved');
      const w = this.cameras.get(seen.id);
      if (w) w.update(d.xaddr, w.creds);
      else if (!fresh.some((f) => f.id === seen.id)) fresh.push({ id: seen.id, xaddr: d.xaddr });
    }
    // New cameras start with their credentials sealed; changed ones (file or API) are prepared again with them.
    await this.refreshCredentials();
    // Shared: a new camera is watched by the instance whose lease takes it.
    if (!this.opts.share)
      for (const f of fresh) if (!this.stopped && !this.cameras.has(f.id)) this.watch(f.id, f.xaddr, this.book.current(f.id));
    // A camera whose address now answers as another camera (replaced, or its urn changed and could not be matched)
    // is no longer watched there: two watchers would share one device's event queue and split its events.
    const ownerOf = new Map((await this.repo.watchTargets()).filter((t) => t.urn).map((t) => [t.urn!, t.id]));
    const answeredAs = new Map(found.map((d) => [normaliseXaddr(d.xaddr), ownerOf.get(d.urn)]));
    for (const w of [...this.cameras.values()]) {
      const owner = answeredAs.get(normaliseXaddr(w.xaddr));
      if (owner && owner !== w.id) {
        log.warn({ camera: w.id, xaddr: w.xaddr, now: owner }, 'camera address now answers as another camera: no longer watched');
        this.cameras.delete(w.id);
        await w.close();
      }
    }
    if (this.opts.discovery !== false) await this.recordMissing(new Set(found.map((d) => d.urn)));
    return found;
  }

  /**
   * A device with an endpoint urn no row has may be a known camera that made a new urn (firmware that makes one per
   * start or after a factory reset). It is the same camera when its serial number and hardware id (and manufacturer)
   * match exactly one ONVIF row: that row takes the new urn, keeping its id, history and tickets. Serial and hardware
   * win over the address: a camera replaced by another unit at the same address is a new camera (another serial),
   * and a known one at a new address with a new urn is still itself. The address alone never merges (DHCP hands
   * addresses on); a device without a serial, or whose serial several rows share, is a new camera.
   */
  private async matchChangedUrns(found: Discovered[]): Promise<void> {
    const { config, log } = this.ctx;
    for (const d of found) {
      if (this.stopped || (await this.repo.hasUrn(d.urn))) continue;
      const info = await deviceInformation(d.xaddr, this.book.forAddress(d.xaddr), config.healthTimeout);
      if (!info?.serial) continue;
      const rows = await this.repo.findByDevice({ manufacturer: info.manufacturer, serial: info.serial, hardware: info.hardware });
      // The same unit seen twice in this pass under two urns is not a change of urn.
      const rivals = rows.filter((r) => r.urn && found.some((f) => f.urn === r.urn && f !== d));
      if (rows.length !== 1 || rivals.length) continue;
      await this.repo.changeUrn(rows[0].id, d.urn, this.ctx.clock.now());
      this.urnChanges++;
      log.info(
        { camera: rows[0].id, oldUrn: rows[0].urn, urn: d.urn, serial: info.serial },
        'camera endpoint urn changed; matched by serial number and hardware id',
      );
    }
  }

  /** Discovery replies that named no camera: counted, and warned about once per sender and reason. */
  private noteUnparsed(list: UnparsedReply[]): void {
    this.discoveryUnparsed += list.length;
    for (const u of list) {
      const key = `${u.from} ${u.reason}`;
      if (this.unparsedWarned.has(key)) continue;
      if (this.unparsedWarned.size > 10_000) this.unparsedWarned.clear();
      this.unparsedWarned.add(key);
      this.ctx.log.warn({ from: u.from, reason: u.reason }, 'WS-Discovery reply not understood');
    }
  }

  /** One heartbeat round over every camera; spread over the interval (steady load) or all at once. */
  async checkAll(spread = false): Promise<CameraHealthSample[]> {
    const list = [...this.cameras.values()];
    const gap = spread && list.length ? (this.ctx.config.healthInterval * 0.8) / list.length : 0;
    const start = performance.now();
    const out = await Promise.all(
      list.map(async (w, i) => {
        if (gap) await sleep(start + i * gap - performance.now());
        return this.stopped ? undefined : this.heartbeat(w);
      }),
    );
    this.rounds++;
    return out.filter((s): s is CameraHealthSample => s !== undefined);
  }

  /**
   * A heartbeat now for a camera whose held PullPoint request just broke (at most one per camera per interval):
   * an offline camera is then known within seconds instead of up to interval + timeout.
   */
  private checkSoon(w: WatchedCamera): void {
    const now = Date.now();
    if (this.stopped || now - (this.earlyChecks.get(w.id) ?? 0) < this.ctx.config.healthInterval) return;
    this.earlyChecks.set(w.id, now);
    void this.heartbeat(w).catch((err) => this.ctx.log.warn({ camera: w.id, err }, 'early heartbeat not recorded'));
  }

  /** One heartbeat within the concurrency bound, stored and published unless the fleet stopped meanwhile. */
  private async heartbeat(w: WatchedCamera): Promise<CameraHealthSample | undefined> {
    const s = await this.heartbeats.run(() => w.check());
    // A camera handed to another instance meanwhile is that one's to report.
    if (this.stopped || this.cameras.get(w.id) !== w) return undefined;
    await this.sinks.sample(s);
    return s;
  }

  /** ffmpeg over every camera's stream, a few at a time. */
  async checkStreams(): Promise<CameraHealthSample[]> {
    const { config } = this.ctx;
    const list = [...this.cameras.values()].filter((w) => w.streamUri && w.state === 'ok');
    const out = await Promise.all(
      list.map((w) =>
        this.streamChecks.run(async () => {
          if (this.stopped || this.cameras.get(w.id) !== w) return undefined;
          const ts = this.ctx.clock.now().toISOString();
          const r = await checkStream(w.streamUri!, {
            ffmpegPath: config.ffmpegPath,
            sampleMs: config.streamSample,
            graceMs: config.healthTimeout * 2,
            rtspTransport: w.rtspTransport ?? 'auto',
          });
          // Remember what worked (a UDP-only camera is then not asked over TCP first every time).
          w.rtspTransport = r.frames > 0 ? r.transport : undefined;
          const errorClass = judgeStream(r, w.profile, config.streamMinRatio);
          const s: CameraHealthSample = {
            sampleId: randomUUID(),
            cameraId: w.id,
            ts,
            kind: 'stream',
            reachable: r.frames > 0,
            stream: {
              opened: r.opened,
              codec: r.codec,
              width: r.width,
              height: r.height,
              frames: r.frames,
              fps: r.fps,
              black: r.black,
              frozen: r.frozen,
            },
          };
          if (errorClass) s.errorClass = errorClass;
          if (r.error) s.error = r.error.slice(0, 500);
          await this.sinks.sample(s);
          return s;
        }),
      ),
    );
    return out.filter((s): s is CameraHealthSample => s !== undefined);
  }

  /** Snapshot now (on motion, or on request): saved under DATA_DIR and handed to face recognition. */
  async snapshot(cameraId: string, reason = 'request'): Promise<FaceCapture | undefined> {
    const w = this.cameras.get(cameraId);
    if (!w?.snapshotUri) return undefined;
    const ts = this.ctx.clock.now().toISOString();
    const jpeg = await fetchSnapshot(w.snapshotUri, w.creds, this.ctx.config.healthTimeout);
    const captureId = uuidFrom('camera-capture', cameraId, ts, reason);
    const imagePath = await this.captures.save('camera', captureId, ts, jpeg);
    const c: FaceCapture = { captureId, ts, source: 'camera', imagePath, cameraId };
    await this.sinks.capture(c);
    return c;
  }

  /**
   * Shared fleet: watch exactly `held`. Cameras new to this instance get a heartbeat now (another instance watched
   * them a moment ago), moved ones take their new address, the others are closed before this resolves.
   */
  async follow(held: { id: string; xaddr: string }[]): Promise<void> {
    const keep = new Map(held.map((h) => [h.id, h.xaddr]));
    const gone = [...this.cameras.values()].filter((w) => !keep.has(w.id));
    for (const w of gone) this.cameras.delete(w.id);
    await Promise.all(gone.map((w) => w.close()));
    for (const [id, xaddr] of keep) {
      const w = this.cameras.get(id);
      if (w) w.update(xaddr, w.creds);
      else if (this.stopped) break;
      else if (!this.followed) this.watch(id, xaddr, this.book.current(id));
      else
        void this.heartbeat(this.watch(id, xaddr, this.book.current(id))).catch((err) =>
          this.ctx.log.warn({ camera: id, err }, 'first heartbeat not recorded'),
        );
    }
    // At start the first round follows the first discovery, as without sharing.
    this.followed = true;
  }

  private watch(id: string, xaddr: string, creds: CameraCredentials): WatchedCamera {
    const w = new WatchedCamera(id, xaddr, creds, {
      timeoutMs: this.ctx.config.healthTimeout,
      now: () => this.ctx.clock.now(),
      gate: (task) => this.prepares.run(task),
      log: this.ctx.log,
      onInventory: async (cam, inv) => {
        const changed = await this.repo.updateInventory(cam.id, { ...inv, capabilities: { ...inv.capabilities } }, this.ctx.clock.now());
        if (changed.length) this.ctx.log.debug({ camera: cam.id, changed }, 'inventory updated');
        // Each call that failed, once per change (the API's inventoryErrors and the camera page show them too).
        const failed = inv.errors.map((e) => `${e.call}:${e.errorClass}`).join(',');
        if (failed && failed !== this.inventoryFailures.get(cam.id))
          this.ctx.log.warn({ camera: cam.id, errors: inv.errors }, 'camera inventory incomplete');
        this.inventoryFailures.set(cam.id, failed);
      },
      onAuthFailed: async (cam) => {
        await this.repo.setAuthState(cam.id, 'auth_failed');
        this.ctx.log.warn({ camera: cam.id }, 'camera refused the credentials');
      },
      onEvent: (cam, e) => this.onEvent(cam, e),
      onSuspect: (cam) => this.checkSoon(cam),
    });
    this.cameras.set(id, w);
    void w.prepare();
    return w;
  }

  private async onEvent(w: WatchedCamera, e: CameraEvent): Promise<void> {
    if (e.kind === 'motion_start' && w.snapshotUri) {
      const c = await this.snapshot(w.id, e.eventId).catch((err) => this.ctx.log.debug({ camera: w.id, err }, 'snapshot failed'));
      if (c) e.snapshotPath = c.imagePath;
    }
    await this.sinks.event(e);
  }

  private defaults(): CameraCredentials {
    return { username: this.ctx.config.cameraUsername, password: this.ctx.config.cameraPassword };
  }

  /**
   * Re-reads the credentials file and the sealed credentials (the API writes them); changed cameras are prepared
   * again. With `only` (a change notice), just that camera's sealed credentials, the file left for the discovery pass.
   */
  async refreshCredentials(only?: string): Promise<void> {
    if (only === undefined) await this.book.load(false);
    for (const [id, creds] of await this.book.refresh(only)) {
      const w = this.cameras.get(id);
      if (!w) continue;
      this.ctx.log.info({ camera: id }, 'camera credentials changed');
      w.update(w.xaddr, creds);
      void w.prepare();
    }
  }

  private async recordMissing(seen: Set<string>): Promise<void> {
    const gone: string[] = [];
    for (const t of await this.repo.watchTargets()) {
      if (!t.urn || seen.has(t.urn)) continue;
      const n = (this.misses.get(t.id) ?? 0) + 1;
      this.misses.set(t.id, n);
      // Still heart-beaten: an outage must keep producing unreachable samples, so repair tickets open.
      if (n >= VANISH_AFTER_MISSES) gone.push(t.id);
    }
    const marked = await this.repo.markVanished(gone, this.ctx.clock.now());
    if (marked.length) this.ctx.log.info({ cameras: marked }, 'cameras vanished from discovery');
  }
}

const sleep = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
