// The `onvif` package behind promises with hard time limits, plus what its callbacks leave implicit: a failed
// SOAP call classified (refused, timeout, auth, bad response), and wrong credentials detected (the client only
// emits a warning and leaves the profiles empty).
import http from 'node:http';
import { createRequire } from 'node:module';
import onvif from 'onvif';
import type { Cam as CamType } from 'onvif';
import type { HealthErrorClass } from '../../core/events/index.ts';

const { Cam } = onvif as unknown as { Cam: typeof CamType };
export type Camera = CamType;

type Callback = (err: unknown, data?: any, xml?: string) => void;
/** The `onvif` internals this module leans on (stable across 0.7–0.8). */
interface CamInternals {
  _request(options: { action?: string; body: string; service?: string; url?: unknown; replyTimeout?: number }, cb: Callback): void;
  _requestPart2(options: object, cb: Callback): void;
  _envelopeHeader(openHeader?: boolean): string;
  _envelopeFooter(): string;
  timeout: number;
  events: {
    subscription?: { subscriptionReference: { address: URL; referenceParameters?: { subscriptionId?: string } } };
    terminationTime?: Date;
  };
  pullMessages(options: { messageLimit?: number }, cb: Callback): void;
  renew(options: object, cb: Callback): void;
}
const { linerase, parseSOAPString } = createRequire(import.meta.url)('onvif/lib/utils.js') as {
  linerase: (x: unknown) => any;
  parseSOAPString: (xml: string, cb: (err: unknown, res: unknown, xml: string, status?: number) => void, status?: number) => void;
};

export type CallErrorClass = Extract<HealthErrorClass, 'refused' | 'timeout' | 'auth' | 'bad_response'>;

export class CameraCallError extends Error {
  constructor(
    readonly errorClass: CallErrorClass,
    message: string,
  ) {
    // The message may quote a device's garbage (a parser's "Char: …"): control characters out, U+0000 above all,
    // which PostgreSQL text cannot hold (the health sample carrying it would be refused).
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
    super(message.slice(0, 500).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '\ufffd'));
  }
}

// ter:NotAuthorized is the ONVIF word; gSOAP-based firmware (many OEM cameras, and the python emulators) says
// wsse:FailedAuthentication, "An error occurred when verifying security for the message".
const AUTH =
  /NotAuthorized|not authori[sz]ed|authentication failed|FailedAuthentication|verifying security|\b401\b|Unauthorized|AccessDenied/i;

export function classify(err: unknown): CameraCallError {
  if (err instanceof CameraCallError) return err;
  const e = err as { code?: string; message?: string } | undefined;
  const msg = e?.message ?? String(err);
  if (e?.code && ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code))
    return new CameraCallError('refused', msg);
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
    agent: soapAgent,
  } as ConstructorParameters<typeof Cam>[0]);
  (cam as unknown as CamInternals)._request = lightRequest;
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
  Object.assign(cam, {
    uri: from.uri,
    timeShift: from.timeShift,
    capabilities: from.capabilities,
    services: from.services,
    media2Support: from.media2Support,
  });
  Object.assign(cam, { pullMessages: pacedPull, renew: lightRenew });
  return cam;
}

/**
 * Keep-alive connections for SOAP calls: a prepare's ten calls and a pull loop's PullMessages after PullMessages
 * reuse one socket per camera. An idle socket closes after 4 s (before a camera's usual 5 s), so ten thousand
 * cameras never hold a spare descriptor each between heartbeats.
 */
const soapAgent = new http.Agent({ keepAlive: true, maxFreeSockets: 1, timeout: 4_000, scheduling: 'lifo' });

const originalRequest = (Cam.prototype as unknown as CamInternals)._request;
const originalPull = (Cam.prototype as unknown as CamInternals).pullMessages;
const originalRenew = (Cam.prototype as unknown as CamInternals).renew;
const BODY_ACTION = /<s:Body[^>]*>\s*<([A-Za-z]\w*) xmlns="([^"]+)"/;

/**
 * The client's `_request` parses every outgoing envelope with xml2js only to name its SOAP action; its own
 * bodies all open with `<Action xmlns="namespace">`, which a pattern reads for a fraction of the cost.
 */
function lightRequest(this: CamInternals, options: Parameters<CamInternals['_request']>[0], cb: Callback): void {
  if (options.action == null) {
    const m = BODY_ACTION.exec(options.body);
    if (!m) return originalRequest.call(this, options, cb);
    options.action = `${m[2]}/${m[1]}`;
  }
  this._requestPart2(options, cb);
}

/** How long a camera holds a PullMessages (the 1 minute every ONVIF camera supports) and how long we wait for it. */
const PULL_WAIT = 'PT1M';
const PULL_REPLY_MS = 80_000;
/**
 * Renew asks for 5 minutes and is skipped while the subscription outlives the next pull by a margin: the
 * client's own loop renews for 2 minutes after every pull, which at 10,000 cameras is 167 extra calls a second.
 */
const RENEW_FOR = 'PT5M';
const RENEW_WHEN_LEFT_MS = 90_000;
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(.\d+)?Z$/;
const WSNT = 'http://docs.oasis-open.org/wsn/b-2';
const TEV = 'http://www.onvif.org/ver10/events/wsdl';

/** The subscription's header part: `To` the pull point, plus the Axis subscription id when there is one. */
function toHeader(cam: CamInternals): string | undefined {
  const ref = cam.events.subscription?.subscriptionReference;
  if (!ref?.address) return undefined;
  const id = ref.referenceParameters?.subscriptionId;
  return id
    ? `<a:To mustUnderstand="1">${ref.address.href}</a:To><SubscriptionId xmlns="http://www.axis.com/2009/event" a:IsReferenceParameter="true">${id}</SubscriptionId>`
    : `<a:To>${ref.address.href}</a:To>`;
}

const CURRENT_TIME = /<(?:\w+:)?CurrentTime>([^<]*)</;
const TERMINATION_TIME = /<(?:\w+:)?TerminationTime>([^<]*)</;

/**
 * One SOAP call on the keep-alive agent. `quick` reads a plain answer (200, no fault) without a full parse, or
 * returns undefined; anything else goes through the client's own parser, so faults and notifications come out
 * exactly as the client would give them. A camera asking for HTTP Digest is left to the client's own method.
 */
function rawCall(
  cam: CamInternals,
  body: string,
  action: string,
  replyMs: number,
  quick: (xml: string) => object | undefined,
  pick: (res: any) => unknown,
  viaClient: () => void,
  cb: Callback,
): void {
  const url = cam.events.subscription!.subscriptionReference.address;
  let done = false;
  const finish = (err: unknown, data?: unknown, xml?: string) => {
    if (done) return;
    done = true;
    // After the socket went back to the agent (a tick after 'end'), so the loop's next call reuses it; and with
    // `this` the camera, as the client's own methods call the loop's callbacks.
    setImmediate(() => cb.call(cam, err, data, xml));
  };
  const req = http.request(url.href, {
    method: 'POST',
    agent: soapAgent,
    headers: {
      'Content-Type': `application/soap+xml;charset=utf-8;action="${action}"`,
      'Content-Length': Buffer.byteLength(body, 'utf8'),
      charset: 'utf-8',
    },
  });
  req.setTimeout(replyMs, () => {
    finish(new Error('Network timeout'));
    req.destroy();
  });
  req.on('error', (err) => finish(err));
  req.on('response', (res) => {
    if (res.statusCode === 401 && res.headers['www-authenticate']) {
      res.resume();
      done = true;
      return viaClient();
    }
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('error', (err) => finish(err));
    res.on('end', () => {
      if (done) return;
      const xml = Buffer.concat(chunks).toString('utf8');
      const fast = res.statusCode === 200 && !/Fault>/.test(xml) ? quick(xml) : undefined;
      if (fast) return finish(null, fast, xml);
      parseSOAPString(xml, (err, parsed) => finish(err, err ? undefined : pick(linerase(parsed)), xml), res.statusCode);
    });
  });
  req.end(body);
}

/** Times of a reply as the client's parser would give them (Dates), or undefined when either is not plain. */
function times(xml: string): { currentTime: Date; terminationTime: Date } | undefined {
  const current = CURRENT_TIME.exec(xml)?.[1];
  const termination = TERMINATION_TIME.exec(xml)?.[1];
  if (!current || !termination || !DATE.test(current) || !DATE.test(termination)) return undefined;
  return { currentTime: new Date(current), terminationTime: new Date(termination) };
}

/**
 * The shortest time between the starts of two PullMessages on one subscription when the last one brought nothing.
 * ONVIF cameras hold a PullMessages until an event or the timeout; some answer at once instead (seen on emulators and
 * on firmware that caps the timeout at 0), and an unpaced loop then polls them thousands of times a second.
 */
export const PULL_MIN_GAP_MS = 1_000;

/** Paces the pull loop (see PULL_MIN_GAP_MS); a pull that brought notifications is followed at once. */
function pacedPull(this: CamInternals, options: { messageLimit?: number }, cb: Callback): void {
  const self = this as CamInternals & { _pullNotBefore?: number };
  const wait = (self._pullNotBefore ?? 0) - Date.now();
  if (wait > 0) return void setTimeout(() => pacedPull.call(this, options, cb), wait);
  const start = Date.now();
  lightPull.call(this, options, function (this: unknown, err, data, xml) {
    const brought = !err && /NotificationMessage/.test(xml ?? '');
    self._pullNotBefore = brought ? 0 : start + PULL_MIN_GAP_MS;
    cb.call(this, err, data, xml);
  });
}

/** PullMessages without xml2js when nothing happened (the usual answer); notifications take the client's parse. */
function lightPull(this: CamInternals, options: { messageLimit?: number }, cb: Callback): void {
  const to = toHeader(this);
  if (!to || (this as unknown as { _digest?: boolean })._digest) return originalPull.call(this, options, cb);
  const body =
    `${this._envelopeHeader(true)}${to}</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<PullMessages xmlns="${TEV}"><Timeout>${PULL_WAIT}</Timeout><MessageLimit>${options.messageLimit || 10}</MessageLimit></PullMessages>${this._envelopeFooter()}`;
  const quick = (xml: string) => (/PullMessagesResponse/.test(xml) && !/NotificationMessage/.test(xml) ? times(xml) : undefined);
  const viaClient = () => {
    (this as unknown as { _digest?: boolean })._digest = true;
    originalPull.call(this, options, cb);
  };
  rawCall(this, body, `${TEV}/PullMessages`, PULL_REPLY_MS, quick, (r) => r.pullMessagesResponse, viaClient, cb);
}

/** Renew only when the subscription would lapse before the next pull ends, and then for longer. */
function lightRenew(this: CamInternals, options: object | Callback, callback?: Callback): void {
  const cb = (callback ?? options) as Callback;
  const left = (this.events.terminationTime?.getTime() ?? 0) - Date.now();
  if (left > RENEW_WHEN_LEFT_MS) {
    // The loop sets its termination time from the answer: the one it already has.
    const now = new Date();
    return void setImmediate(() => cb.call(this, null, { currentTime: now, terminationTime: new Date(now.getTime() + left) }));
  }
  const to = toHeader(this);
  if (!to || (this as unknown as { _digest?: boolean })._digest) return originalRenew.call(this, {}, cb);
  const body =
    `${this._envelopeHeader(true)}${to}</s:Header><s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<Renew xmlns="${WSNT}"><TerminationTime>${RENEW_FOR}</TerminationTime></Renew>${this._envelopeFooter()}`;
  const quick = (xml: string) => (/RenewResponse/.test(xml) ? times(xml) : undefined);
  const viaClient = () => {
    (this as unknown as { _digest?: boolean })._digest = true;
    originalRenew.call(this, {}, cb);
  };
  rawCall(this, body, `${WSNT}/Renew`, this.timeout, quick, (r) => r.renewResponse, viaClient, cb);
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
