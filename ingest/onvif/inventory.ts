// A camera's inventory call by call: the clock first, then services, device information, profiles, video sources,
// stream and snapshot URIs, each on its own, so what answered is kept and what failed is recorded per call. An
// optional service the camera does not have (events, snapshot, video sources) is a capability it lacks, not a failure.
import { call, classify, type Camera, type Inventory } from './onvif-client.ts';
import { learnClock } from './device-clock.ts';
import { deviceText } from '../device-text.ts';

export interface InventoryError {
  call: string;
  errorClass: string;
  message: string;
}

export interface Capabilities {
  events: boolean;
  snapshot: boolean;
  videoSources: boolean;
}

export interface CameraInventoryResult extends Inventory {
  errors: InventoryError[];
  capabilities: Capabilities;
  /** GetSystemDateAndTime wanted credentials (the heartbeat then answers 401, which is still a live camera). */
  timeNeedsAuth: boolean;
}

/** A fault that means "this device does not do that" rather than "it failed" (ONVIF ter:ActionNotSupported and kin). */
const NOT_SUPPORTED = /ActionNotSupported|not supported|not implemented|NoSuchService|NoSnapshot|Optional Action/i;

const num = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));
const str = (v: unknown) => (v === undefined || v === null ? undefined : deviceText(String(v)));

type Profile = Inventory['profiles'][number];

/** The main stream: the profile with the most pixels (vendors list sub-streams first, e.g. some Dahua NVR channels). */
export function mainProfile(profiles: readonly Profile[]): Profile | undefined {
  let best: Profile | undefined;
  for (const p of profiles) if (!best || (p.width ?? 0) * (p.height ?? 0) > (best.width ?? 0) * (best.height ?? 0)) best = p;
  return best;
}

/**
 * Reads everything; throws only when the camera is unreachable or refuses our credentials (a classified
 * CameraCallError), so the watcher can tell down and auth_failed from a partial inventory.
 */
export async function readCameraInventory(cam: Camera, xaddr: string, timeoutMs: number): Promise<CameraInventoryResult> {
  const clock = await learnClock(cam, xaddr, timeoutMs);
  const errors: InventoryError[] = [];
  /** One call: its value, or undefined with the failure recorded; refused credentials and a dead camera end it all. */
  const step = async <T>(
    name: string,
    fn: (cb: (err: unknown, v?: T) => void) => void,
    optional = false,
  ): Promise<T | undefined | 'unsupported'> => {
    try {
      return await call<T>(timeoutMs, fn);
    } catch (err) {
      const e = classify(err);
      if (e.errorClass === 'auth') throw e;
      if (e.errorClass === 'refused') throw e;
      if (optional && NOT_SUPPORTED.test(e.message)) return 'unsupported';
      errors.push({ call: name, errorClass: e.errorClass, message: e.message.slice(0, 300) });
      return undefined;
    }
  };
  await readServices(cam, timeoutMs, step);
  const c = cam as unknown as { uri?: Record<string, unknown> };
  if (!c.uri?.media) {
    // Without service addresses the media calls have nowhere to go.
    return { profiles: [], errors, capabilities: { events: false, snapshot: false, videoSources: false }, timeNeedsAuth: clock.needsAuth };
  }
  const info = await step<Record<string, unknown>>('GetDeviceInformation', (cb) =>
    cam.getDeviceInformation((err, data) => cb(err, data as Record<string, unknown>)),
  );
  const got = await step<unknown[]>('GetProfiles', (cb) => cam.getProfiles((err, data) => cb(err, data as unknown[])));
  const profiles: Profile[] = (Array.isArray(got) ? got : []).map((p) => {
    const raw = p as Record<string, any>;
    const vec = raw.videoEncoderConfiguration ?? {};
    return {
      token: String(raw.$?.token ?? raw.token ?? ''),
      name: str(raw.name),
      encoding: str(vec.encoding),
      width: num(vec.resolution?.width),
      height: num(vec.resolution?.height),
      fps: num(vec.rateControl?.frameRateLimit),
    };
  });
  const sources = await step<unknown>('GetVideoSources', (cb) => cam.getVideoSources((err, data) => cb(err, data)), true);
  const main = mainProfile(profiles);
  const uriOf = async (fn: 'getStreamUri' | 'getSnapshotUri', name: string) => {
    if (!main?.token) return undefined;
    const opts = fn === 'getStreamUri' ? { protocol: 'RTSP', profileToken: main.token } : { profileToken: main.token };
    const r = await step<{ uri?: string }>(
      name,
      (cb) => (cam[fn] as (o: object, c: (e: unknown, d: unknown) => void) => void)(opts, (e, d) => cb(e, d as { uri?: string })),
      fn === 'getSnapshotUri',
    );
    if (r === 'unsupported') return r;
    return r?.uri ? String(r.uri) : undefined;
  };
  // One after the other: on one keep-alive connection (CPU, not round trips, bounds a prepare of thousands).
  const streamUri = await uriOf('getStreamUri', 'GetStreamUri');
  const snapshotUri = await uriOf('getSnapshotUri', 'GetSnapshotUri');
  return {
    manufacturer: str(info && info !== 'unsupported' ? info.manufacturer : undefined),
    model: str(info && info !== 'unsupported' ? info.model : undefined),
    firmware: str(info && info !== 'unsupported' ? info.firmwareVersion : undefined),
    serial: str(info && info !== 'unsupported' ? info.serialNumber : undefined),
    hardware: str(info && info !== 'unsupported' ? info.hardwareId : undefined),
    // Main stream first, so whoever takes profiles[0] gets what the stream check is judged against.
    profiles: main ? [main, ...profiles.filter((p) => p !== main)] : profiles,
    streamUri: streamUri === 'unsupported' ? undefined : streamUri,
    snapshotUri: snapshotUri === 'unsupported' ? undefined : snapshotUri,
    errors,
    capabilities: {
      events: !!c.uri?.events,
      snapshot: snapshotUri !== 'unsupported' && main !== undefined,
      videoSources: sources !== 'unsupported',
    },
    timeNeedsAuth: clock.needsAuth,
  };
}

type Step = <T>(
  name: string,
  fn: (cb: (err: unknown, v?: T) => void) => void,
  optional?: boolean,
) => Promise<T | undefined | 'unsupported'>;

/** Service addresses: GetServices, or GetCapabilities on firmware that has only the original ONVIF core call. */
async function readServices(cam: Camera, timeoutMs: number, step: Step): Promise<void> {
  const c = cam as unknown as { getServices(include: boolean, cb: (err: unknown) => void): void };
  const services = await step<void>('GetServices', (cb) => c.getServices(true, (err) => cb(err)), true);
  if (services === 'unsupported' || (services === undefined && !(cam as unknown as { uri?: object }).uri)) {
    await step<void>('GetCapabilities', (cb) => cam.getCapabilities((err) => cb(err)));
  }
}

/** Clock and service addresses only (what asking a camera its identity needs); throws a classified error. */
export async function connectLight(cam: Camera, xaddr: string, timeoutMs: number): Promise<void> {
  await learnClock(cam, xaddr, timeoutMs);
  const step: Step = async (_name, fn) => call(timeoutMs, fn);
  await readServices(cam, timeoutMs, step);
}
