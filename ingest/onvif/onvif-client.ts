// The `onvif` package behind promises with hard time limits, plus what its callbacks leave implicit: a failed
// SOAP call classified (refused, timeout, auth, bad response), and wrong credentials detected (the client only
// emits a warning and leaves the profiles empty).
import onvif from 'onvif';
import type { Cam as CamType } from 'onvif';
import type { HealthErrorClass } from '../../core/events/index.ts';

const { Cam } = onvif as unknown as { Cam: typeof CamType };
export type Camera = CamType;

export type CallErrorClass = Extract<HealthErrorClass, 'refused' | 'timeout' | 'auth' | 'bad_response'>;

export class CameraCallError extends Error {
  constructor(readonly errorClass: CallErrorClass, message: string) {
    super(message.slice(0, 500));
  }
}

const AUTH = /NotAuthorized|not authori[sz]ed|authentication failed|401|Unauthorized|AccessDenied/i;

export function classify(err: unknown): CameraCallError {
  if (err instanceof CameraCallError) return err;
  const e = err as { code?: string; message?: string } | undefined;
  const msg = e?.message ?? String(err);
  if (e?.code && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code)) return new CameraCallError('refused', msg);
  if (e?.code === 'ETIMEDOUT' || /timeout|timed out/i.test(msg)) return new CameraCallError('timeout', msg);
  if (AUTH.test(msg)) return new CameraCallError('auth', msg);
  return new CameraCallError('bad_response', msg);
}

/** Runs a callback-style call with a hard deadline (the socket timeout alone does not bound a slow trickle). */
export function call<T>(timeoutMs: number, fn: (cb: (err: unknown, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      done = true;
      reject(new CameraCallError('timeout', `no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      fn((err, value) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err) reject(classify(err));
        else resolve(value as T);
      });
    } catch (err) {
      clearTimeout(timer);
      reject(classify(err));
    }
  });
}

export interface ConnectOptions {
  xaddr: string;
  username?: string;
  password?: string;
  timeoutMs: number;
}

/** A Cam object for the device-service URL, not yet connected. */
export function cameraFor(o: ConnectOptions): Camera {
  const u = new URL(o.xaddr);
  const cam = new Cam({
    hostname: u.hostname,
    port: Number(u.port || 80),
    path: u.pathname,
    username: o.username || undefined,
    password: o.password || undefined,
    timeout: o.timeoutMs,
    autoconnect: false,
    // The simulated city and NATed sites report service URLs that are unreachable from here: keep our address.
    preserveAddress: true,
  } as ConstructorParameters<typeof Cam>[0]);
  // Without a listener an 'error' event would throw; the warnings decide the auth state.
  cam.on('error', () => {});
  return cam;
}

/**
 * A second client sharing a connected one's service addresses and clock offset, without the connect round trips
 * (used for the event subscription, which must be re-creatable on its own).
 */
export function sibling(connected: Camera, o: ConnectOptions): Camera {
  const cam = cameraFor(o);
  const from = connected as unknown as Record<string, unknown>;
  Object.assign(cam, { uri: from.uri, timeShift: from.timeShift, capabilities: from.capabilities, services: from.services, media2Support: from.media2Support });
  return cam;
}

/** Connects (time, services, profiles); throws a classified error, and `auth` when profiles came back refused. */
export async function connect(cam: Camera, timeoutMs: number): Promise<void> {
  const warnings: string[] = [];
  const onWarning = (w: unknown) => warnings.push(String(w));
  cam.on('warning', onWarning);
  try {
    await call<void>(timeoutMs, (cb) => cam.connect((err: unknown) => cb(err)));
  } finally {
    cam.removeListener('warning', onWarning);
  }
  const refused = warnings.find((w) => AUTH.test(w));
  if (refused) throw new CameraCallError('auth', refused);
  if (!cam.profiles?.length && warnings.length) throw new CameraCallError('bad_response', warnings[0]);
}

export interface Inventory {
  manufacturer?: string;
  model?: string;
  firmware?: string;
  serial?: string;
  hardware?: string;
  profiles: { token: string; name?: string; encoding?: string; width?: number; height?: number; fps?: number }[];
  streamUri?: string;
  snapshotUri?: string;
}

const num = (v: unknown) => (v === undefined || v === null || v === '' ? undefined : Number(v));
const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

/** Device information, profiles, stream and snapshot URIs of the first profile (after `connect`). */
export async function readInventory(cam: Camera, timeoutMs: number): Promise<Inventory> {
  const info = await call<Record<string, unknown>>(timeoutMs, (cb) => cam.getDeviceInformation((err, data) => cb(err, data as Record<string, unknown>)));
  const profiles = (cam.profiles ?? []).map((p) => {
    const raw = p as unknown as Record<string, any>;
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
  const token = profiles[0]?.token;
  const uriOf = async (fn: 'getStreamUri' | 'getSnapshotUri') => {
    if (!token) return undefined;
    const opts = fn === 'getStreamUri' ? { protocol: 'RTSP', profileToken: token } : { profileToken: token };
    const r = await call<{ uri?: string }>(timeoutMs, (cb) => (cam[fn] as (o: object, c: (e: unknown, d: unknown) => void) => void)(opts, (e, d) => cb(e, d as { uri?: string })));
    return r?.uri ? String(r.uri) : undefined;
  };
  return {
    manufacturer: str(info.manufacturer),
    model: str(info.model),
    firmware: str(info.firmwareVersion),
    serial: str(info.serialNumber),
    hardware: str(info.hardwareId),
    profiles,
    streamUri: await uriOf('getStreamUri'),
    snapshotUri: await uriOf('getSnapshotUri'),
  };
}

/** One light heartbeat: GetSystemDateAndTime, bounded by the timeout; the latency in ms, or a classified error. */
export async function heartbeat(cam: Camera, timeoutMs: number): Promise<number> {
  const start = performance.now();
  await call<unknown>(timeoutMs, (cb) => cam.getSystemDateAndTime((err, date) => cb(err, date)));
  return performance.now() - start;
}
