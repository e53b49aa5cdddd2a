// The camera's clock, learned before any WS-Security call: an anonymous GetSystemDateAndTime, and for a camera that
// wants credentials even for that (HTTP 401 or a NotAuthorized fault, as Panasonic and some Hikvision firmware do),
// an authenticated one dated by the camera's HTTP Date header, so the UsernameToken is not dated 1970.
import http from 'node:http';
import { call, CameraCallError, type Camera } from './onvif-client.ts';

export interface ClockProbe {
  /** HTTP status of the anonymous GetSystemDateAndTime. */
  status: number;
  /** The camera answered, but only with credentials. */
  needsAuth: boolean;
  /** The camera's time: from the answer's UTCDateTime, else its HTTP Date header. */
  cameraTime?: Date;
  latencyMs: number;
  /** The camera answered with a whole SOAP envelope that is not the time (a minimal device without the call). */
  noTime?: boolean;
}

const BODY =
  '<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope">' +
  '<s:Body><GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/></s:Body></s:Envelope>';
const WHOLE_ENVELOPE =
  /^\s*(?:<\?xml[^>]*\?>\s*)?<(?:[\w-]+:)?Envelope[\s>][\s\S]*<(?:[\w-]+:)?Body[\s>/][\s\S]*<\/(?:[\w-]+:)?Envelope>\s*$/;
const REFUSED = /NotAuthorized|not authori[sz]ed|FailedAuthentication|Unauthorized/i;

/** Reads the UTC time of a GetSystemDateAndTimeResponse without a full parse; undefined when absent. */
export function utcOf(xml: string): Date | undefined {
  const utc = /<(?:\w+:)?UTCDateTime>([\s\S]*?)<\/(?:\w+:)?UTCDateTime>/.exec(xml)?.[1];
  if (!utc) return undefined;
  const n = (tag: string) => Number(new RegExp(`<(?:\\w+:)?${tag}>\\s*(\\d+)\\s*<`).exec(utc)?.[1]);
  const d = new Date(Date.UTC(n('Year'), n('Month') - 1, n('Day'), n('Hour'), n('Minute'), n('Second')));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/**
 * One anonymous GetSystemDateAndTime POST (no keep-alive, light: this is also the heartbeat). Rejects with a
 * classified CameraCallError for refused / timeout / bad answers; a 401 or NotAuthorized answer is a reachable
 * camera that wants credentials (`needsAuth`), not an error.
 */
export function probeClock(xaddr: string, timeoutMs: number): Promise<ClockProbe> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (e: CameraCallError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(e);
    };
    const req = http.request(xaddr, {
      method: 'POST',
      agent: false,
      headers: {
        'content-type': 'application/soap+xml; charset=utf-8; action="http://www.onvif.org/ver10/device/wsdl/GetSystemDateAndTime"',
        'content-length': Buffer.byteLength(BODY),
      },
    });
    const timer = setTimeout(() => fail(new CameraCallError('timeout', `no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      fail(new CameraCallError(err.code === 'ETIMEDOUT' ? 'timeout' : 'refused', err.message)),
    );
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 65_536) chunks.push(c);
      });
      res.on('error', (err) => fail(new CameraCallError('refused', err.message)));
      res.on('end', () => {
        if (settled) return;
        const text = Buffer.concat(chunks).toString('utf8');
        const latencyMs = performance.now() - start;
        const header = res.headers.date ? new Date(res.headers.date) : undefined;
        const headerTime = header && !Number.isNaN(header.getTime()) ? header : undefined;
        const status = res.statusCode ?? 0;
        let out: ClockProbe | undefined;
        if (status === 401 || (status !== 200 && REFUSED.test(text))) out = { status, needsAuth: true, cameraTime: headerTime, latencyMs };
        else if (status === 200 && /GetSystemDateAndTimeResponse/.test(text))
          out = { status, needsAuth: false, cameraTime: utcOf(text) ?? headerTime, latencyMs };
        // A whole envelope that is not the time: a device answering every call with a stub (seen on a minimal
        // open-source camera script) is there; its clock is then its Date header. Garbage is still bad_response.
        else if (status === 200 && WHOLE_ENVELOPE.test(text) && !/Fault>/.test(text))
          out = { status, needsAuth: false, cameraTime: headerTime, latencyMs, noTime: true };
        if (!out) return fail(new CameraCallError('bad_response', `HTTP ${status}: ${text.slice(0, 120)}`));
        settled = true;
        clearTimeout(timer);
        resolve(out);
      });
    });
    req.end(BODY);
  });
}

type Internals = {
  timeShift?: number;
  _request(o: { body: string; service?: string }, cb: (err: unknown, data: any, xml?: string) => void): void;
  _envelopeHeader(): string;
  _envelopeFooter(): string;
};

/** The client dates its UsernameTokens `uptime + timeShift`: set so that this is the camera's time. */
export function setCameraTime(cam: Camera, at: Date, observedAt = Date.now()): void {
  // The answer left the camera about when it arrived here; the client adds uptime since then.
  (cam as unknown as Internals).timeShift = at.getTime() + (Date.now() - observedAt) - process.uptime() * 1000;
}

/**
 * Learns the camera's clock for `cam` (before any authenticated call). Throws `auth` when the camera wants
 * credentials for the time and refuses ours. Returns whether the time needed credentials.
 */
export async function learnClock(cam: Camera, xaddr: string, timeoutMs: number): Promise<ClockProbe> {
  const seen = Date.now();
  const p = await probeClock(xaddr, timeoutMs);
  // A camera that gave no time at all: ours is the best guess (the client would otherwise date tokens 1970).
  setCameraTime(cam, p.cameraTime ?? new Date(seen), seen);
  if (!p.needsAuth) return p;
  const c = cam as unknown as Internals;
  const body = `${c._envelopeHeader()}<GetSystemDateAndTime xmlns="http://www.onvif.org/ver10/device/wsdl"/>${c._envelopeFooter()}`;
  const asked = Date.now();
  const xml = await call<string>(timeoutMs, (cb) => c._request({ body }, (err, _data, raw) => cb(err, raw ?? '')));
  const t = utcOf(xml);
  if (t) setCameraTime(cam, t, asked);
  return p;
}
