// Keepalives of GB devices turned into the health samples ONVIF heartbeats give: each keepalive is a passed check for
// every channel that is ON, silence becomes failed checks on the keepalive clock (offline at HeartBeatCount missed
// intervals), and a channel the device reports OFF fails on its own.
import { randomUUID } from 'node:crypto';
import type { CameraHealthSample } from '../../core/events/index.ts';
import { failuresDue, type KeepaliveTiming } from './keepalive-clock.ts';

interface ChannelLive {
  id: string;
  failuresToOffline: number;
  /** Failed checks sent since the last keepalive. */
  emitted: number;
  off: boolean;
}

export interface DeviceLive {
  id: string;
  last: number;
  timing: KeepaliveTiming;
  /** Unregistered or expired: offline now, not on the keepalive clock. */
  forced?: string;
  /** Past the standard's deadline (HeartBeatCount intervals) or forced. */
  offline: boolean;
  channels: Map<string, ChannelLive>;
}

export type SampleSink = (s: CameraHealthSample) => void;

export class GbLiveness {
  readonly devices = new Map<string, DeviceLive>();

  constructor(
    private readonly sink: SampleSink,
    private readonly failuresFor: (priority: string) => number,
  ) {}

  private sample(cameraId: string, now: number, fail?: { errorClass: 'timeout' | 'refused'; error: string }): void {
    this.sink({
      sampleId: randomUUID(),
      cameraId,
      ts: new Date(now).toISOString(),
      kind: 'heartbeat',
      reachable: !fail,
      ...(fail ? { errorClass: fail.errorClass, error: fail.error } : {}),
    });
  }

  device(id: string, last: number, timing: KeepaliveTiming): DeviceLive {
    let d = this.devices.get(id);
    if (!d) this.devices.set(id, (d = { id, last, timing, offline: false, channels: new Map() }));
    d.timing = timing;
    return d;
  }

  remove(id: string): void {
    this.devices.delete(id);
  }

  /** Replaces the device's channel list; counts of channels already known are kept. */
  setChannels(deviceId: string, rows: readonly { id: string; priority: string }[]): void {
    const d = this.devices.get(deviceId);
    if (!d) return;
    const next = new Map<string, ChannelLive>();
    for (const r of rows) {
      const had = d.channels.get(r.id);
      next.set(r.id, { id: r.id, failuresToOffline: this.failuresFor(r.priority), emitted: had?.emitted ?? 0, off: had?.off ?? false });
    }
    d.channels = next;
  }

  /** A keepalive (or a registration): every ON channel passed a check, every OFF one failed one. True when it was offline. */
  keepalive(deviceId: string, now: number): boolean {
    const d = this.devices.get(deviceId);
    if (!d) return false;
    const wasOffline = d.offline;
    d.last = now;
    d.forced = undefined;
    d.offline = false;
    for (const c of d.channels.values()) {
      c.emitted = 0;
      this.sample(c.id, now, c.off ? { errorClass: 'refused', error: 'channel reported OFF by its device' } : undefined);
    }
    return wasOffline;
  }

  /**
   * The device says a channel is OFF (catalog, DeviceStatus, catalog event) or ON again. Its word needs no counting:
   * an OFF channel gets the failures that make it offline at once, an ON one a passed check.
   */
  setChannelOff(deviceId: string, channelId: string, off: boolean, now: number): void {
    const c = this.devices.get(deviceId)?.channels.get(channelId);
    if (!c || c.off === off) return;
    c.off = off;
    if (!off) return this.sample(c.id, now);
    for (let i = 0; i < c.failuresToOffline; i++)
      this.sample(c.id, now, { errorClass: 'refused', error: 'channel reported OFF by its device' });
  }

  isOff(deviceId: string, channelId: string): boolean {
    return this.devices.get(deviceId)?.channels.get(channelId)?.off ?? false;
  }

  /** Unregistered or registration expired: the channels are offline now. */
  force(deviceId: string, reason: string, now: number): void {
    const d = this.devices.get(deviceId);
    if (!d) return;
    d.forced = reason;
    d.offline = true;
    this.sweepDevice(d, now);
  }

  /** Sends the failed checks that silence has made due; returns the devices that just passed their offline deadline. */
  sweep(now: number): string[] {
    const offline: string[] = [];
    for (const d of this.devices.values()) {
      if (!d.forced && now - d.last < d.timing.intervalMs) continue;
      this.sweepDevice(d, now);
      if (!d.offline && Math.floor((now - d.last) / d.timing.intervalMs) >= d.timing.misses) {
        d.offline = true;
        offline.push(d.id);
      }
    }
    return offline;
  }

  private sweepDevice(d: DeviceLive, now: number): void {
    const silentS = Math.round((now - d.last) / 1000);
    for (const c of d.channels.values()) {
      if (c.off && !d.forced) continue;
      const due = failuresDue(now, d.last, d.timing, c.failuresToOffline, d.forced !== undefined);
      if (due <= c.emitted) continue;
      const error =
        d.forced ?? `no keepalive for ${silentS} s (interval ${d.timing.intervalMs / 1000} s, offline after ${d.timing.misses})`;
      for (; c.emitted < due; c.emitted++) this.sample(c.id, now, { errorClass: 'timeout', error });
    }
  }
}
