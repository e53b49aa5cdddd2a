// One camera under watch: its ONVIF connection, inventory state and PullPoint subscription. The subscription
// is re-created on a fresh client whenever the camera comes back (or its pull loop failed), because the
// `onvif` client's own loop stops silently after some errors.
import { randomUUID } from 'node:crypto';
import type { CameraEvent, CameraHealthSample } from '../../core/events/index.ts';
import { cameraFor, classify, sibling, type Camera } from './onvif-client.ts';
import { probeClock } from './device-clock.ts';
import { readCameraInventory, type CameraInventoryResult } from './inventory.ts';
import type { RtspTransport } from './ffmpeg-input.ts';
import { normaliseOnvifEvent } from './event-normaliser.ts';
import type { CameraCredentials } from './credentials.ts';
import { uuidFrom } from '../ids.ts';

export type WatchState = 'new' | 'ok' | 'auth_failed' | 'down';

export interface WatchHooks {
  timeoutMs: number;
  now: () => Date;
  /** Bounds how many cameras are being prepared at once (a start with thousands must not stampede). */
  gate: <T>(task: () => Promise<T>) => Promise<T>;
  onInventory: (w: WatchedCamera, inv: CameraInventoryResult) => Promise<void>;
  onAuthFailed: (w: WatchedCamera) => Promise<void>;
  onEvent: (w: WatchedCamera, e: CameraEvent) => Promise<void>;
  /** The event connection of a camera believed up broke at the socket: worth a heartbeat now, not at the next round. */
  onSuspect?: (w: WatchedCamera) => void;
  log: { warn: (o: object, msg: string) => void; debug: (o: object, msg: string) => void };
}

export class WatchedCamera {
  state: WatchState = 'new';
  streamUri?: string;
  /** The profile the stream URI belongs to: what a stream check is judged against. */
  profile?: { encoding?: string; fps?: number; width?: number; height?: number };
  snapshotUri?: string;
  /** The camera has an event service (a camera without one is fully prepared without a subscription). */
  hasEvents = true;
  /** The RTSP transport its stream was last read over (a UDP-only camera refuses TCP). */
  rtspTransport?: RtspTransport;
  /** True while a PullPoint loop is believed to be running. */
  eventsLive = false;
  subscriptions = 0;
  private control: Camera;
  private eventsCam?: Camera;
  private readonly eventState = new Map<string, boolean>();
  private chain: Promise<void> = Promise.resolve();
  private preparing?: Promise<void>;
  /** Bumped by update(): a prepare begun with the old address or credentials is done again, its outcome ignored. */
  private generation = 0;
  private closed = false;
  /** The last reason a prepare failed, so each new reason is logged once. */
  private lastFailure?: string;

  constructor(
    readonly id: string,
    public xaddr: string,
    public creds: CameraCredentials,
    private readonly hooks: WatchHooks,
  ) {
    this.control = this.client();
  }

  private client(): Camera {
    return cameraFor({ xaddr: this.xaddr, username: this.creds.username, password: this.creds.password, timeoutMs: this.hooks.timeoutMs });
  }

  /** New address or credentials: later calls use them, and the camera is prepared again. */
  update(xaddr: string, creds: CameraCredentials): void {
    if (xaddr === this.xaddr && creds.username === this.creds.username && creds.password === this.creds.password) return;
    this.xaddr = xaddr;
    this.creds = creds;
    this.control = this.client();
    this.generation++;
    this.state = 'new';
    this.eventsLive = false;
  }

  /** One heartbeat; on success a camera that is not fully prepared (new, back from down) is prepared in the background. */
  async check(): Promise<CameraHealthSample> {
    const ts = this.hooks.now().toISOString();
    const base = { sampleId: randomUUID(), cameraId: this.id, ts, kind: 'heartbeat' as const };
    try {
      // An anonymous GetSystemDateAndTime: answered, or refused with 401 by a camera that wants credentials even
      // for the time (Panasonic, some Hikvision firmware): either way the camera is there.
      const p = await probeClock(this.xaddr, this.hooks.timeoutMs);
      const latencyMs = Math.round(p.latencyMs * 10) / 10;
      if (this.state !== 'ok' || (this.hasEvents && !this.eventsLive)) void this.prepare();
      // A camera refusing our credentials is reachable but unusable.
      if (this.state === 'auth_failed') return { ...base, reachable: true, latencyMs, errorClass: 'auth', error: 'credentials refused' };
      return { ...base, reachable: true, latencyMs };
    } catch (err) {
      const e = classify(err);
      if (this.state === 'ok') this.state = 'down';
      this.eventsLive = false;
      return { ...base, reachable: false, errorClass: e.errorClass, error: e.message };
    }
  }

  /** Connects, reads the inventory and (re)opens the event subscription; one at a time per camera. */
  prepare(): Promise<void> {
    this.preparing ??= this.hooks.gate(() => this.doPrepare()).finally(() => (this.preparing = undefined));
    return this.preparing;
  }

  private async doPrepare(): Promise<void> {
    let gen: number;
    do {
      gen = this.generation;
      await this.prepareOnce(gen);
    } while (gen !== this.generation && !this.closed);
  }

  private async prepareOnce(gen: number): Promise<void> {
    if (this.closed) return;
    const control = this.control;
    try {
      const inv = await readCameraInventory(control, this.xaddr, this.hooks.timeoutMs);
      if (gen !== this.generation) return;
      if (inv.streamUri !== this.streamUri) this.rtspTransport = undefined;
      this.streamUri = inv.streamUri;
      // Main stream first (readCameraInventory orders them): what a stream check is judged against.
      this.profile = inv.profiles[0];
      this.snapshotUri = inv.snapshotUri;
      this.hasEvents = inv.capabilities.events;
      await this.hooks.onInventory(this, inv);
      this.state = 'ok';
      if (this.hasEvents) await this.openEvents();
      else this.dropEvents();
    } catch (err) {
      if (gen !== this.generation) return;
      const e = classify(err);
      if (e.errorClass === 'auth') {
        if (this.state !== 'auth_failed') await this.hooks.onAuthFailed(this);
        this.state = 'auth_failed';
      } else {
        this.state = 'down';
      }
      // Warn once per change of reason: a camera that stays down is not logged every heartbeat.
      const reason = `${e.errorClass}:${e.message}`;
      if (reason !== this.lastFailure)
        this.hooks.log.warn({ camera: this.id, xaddr: this.xaddr, errorClass: e.errorClass, err: e }, 'camera not ready');
      this.lastFailure = reason;
      return;
    }
    this.lastFailure = undefined;
  }

  /** A fresh client and PullPoint subscription; the old client's loop ends once it has no listener. */
  private async openEvents(): Promise<void> {
    this.dropEvents();
    const cam = sibling(this.control, {
      xaddr: this.xaddr,
      username: this.creds.username,
      password: this.creds.password,
      timeoutMs: this.hooks.timeoutMs,
    });
    if (this.closed) return;
    cam.on('event', (message: unknown) => this.onMessage(message));
    cam.on('eventsError', (err: unknown) => {
      // ECONNREFUSED and the like are retried by the client itself; anything else may end its loop.
      const code = (err as { code?: string })?.code;
      const socketLevel = !!code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENETUNREACH', 'EHOSTUNREACH', 'EPIPE'].includes(code);
      if (!socketLevel) this.eventsLive = false;
      else if (this.state === 'ok') this.hooks.onSuspect?.(this);
      this.hooks.log.debug({ camera: this.id, err }, 'pull point error');
    });
    this.eventsCam = cam;
    this.eventsLive = true;
    this.subscriptions++;
  }

  private dropEvents(): void {
    if (!this.eventsCam) return;
    this.eventsCam.removeAllListeners('event');
    this.eventsCam.removeAllListeners('eventsError');
    this.eventsCam.on('eventsError', () => {});
    this.eventsCam = undefined;
  }

  private onMessage(message: unknown): void {
    const n = normaliseOnvifEvent(message, this.hooks.now());
    if (!n) return;
    const before = this.eventState.get(n.family);
    this.eventState.set(n.family, n.active);
    // A subscription starts with the current states: only a state that differs from what we knew is an event.
    if (n.initial && (before === n.active || (before === undefined && !n.active))) return;
    if (!n.initial && before === n.active) return;
    const e: CameraEvent = {
      eventId: uuidFrom(this.id, n.topic, n.ts, String(n.active)),
      cameraId: this.id,
      ts: n.ts,
      kind: n.kind,
      topic: n.topic,
    };
    // Per camera in order: a stop never overtakes its start.
    this.chain = this.chain
      .then(() => this.hooks.onEvent(this, e))
      .catch((err) => this.hooks.log.warn({ camera: this.id, err }, 'camera event not handled'));
  }

  async close(): Promise<void> {
    this.closed = true;
    this.dropEvents();
    await this.chain;
  }
}
