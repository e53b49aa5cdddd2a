// HTTP GET from a camera with its own credentials, answering the camera's challenge: Basic, or Digest (RFC 7616,
// MD5 or SHA-256, qop=auth), which Hikvision, Dahua and Uniview firmware ask for on snapshot URIs. Shared by ingest
// (snapshots on motion) and the gateway (snapshot API, live view), so neither imports the other.
import { createHash, randomBytes } from 'node:crypto';
import type { CameraCredentials } from './credential-cipher.ts';
import { openCredentials } from './camera-access.ts';

/** The largest snapshot taken from a camera; a longer (or endless) body is cut off at this many bytes. */
export const SNAPSHOT_MAX_BYTES = 8 * 1024 * 1024;
/** Redirects followed on the camera's own origin (a camera may move /snapshot to /snapshot.jpg). */
const MAX_REDIRECTS = 3;

/**
 * A camera answered with a redirect that is not followed: to another origin (scheme, host or port), where neither
 * its credentials nor the gateway's requests belong, or too many in a row.
 */
export class CameraRedirectError extends Error {
  override readonly name = 'CameraRedirectError';
  constructor(readonly reason: 'other_origin' | 'too_many') {
    super(reason === 'other_origin' ? 'camera redirected to another host; not followed' : 'camera redirected too many times');
  }
}

/** The body was longer than allowed (declared or as it came). */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly max: number) {
    super(`body over ${max} bytes`);
  }
}

/** One challenge of a WWW-Authenticate header, e.g. `Digest realm="x", nonce="y", qop="auth"`. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Splits a WWW-Authenticate header (several challenges may share one header, comma-joined). */
export function parseChallenges(header: string | null): Challenge[] {
  const out: Challenge[] = [];
  if (!header) return out;
  let i = 0;
  const n = header.length;
  while (i < n) {
    while (i < n && /[\s,]/.test(header[i])) i++;
    const start = i;
    while (i < n && /[\w!#$%&'*+.^`|~-]/.test(header[i])) i++;
    const token = header.slice(start, i);
    if (!token) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && header[j] === ' ') j++;
    if (header[j] !== '=' || !out.length) {
      out.push({ scheme: token.toLowerCase(), params: {} });
      continue;
    }
    // token=value or token="quoted, value"
    i = j + 1;
    while (i < n && header[i] === ' ') i++;
    let value = '';
    if (header[i] === '"') {
      i++;
      while (i < n && header[i] !== '"') {
        if (header[i] === '\\') i++;
        value += header[i] ?? '';
        i++;
      }
      i++;
    } else {
      const v = i;
      while (i < n && header[i] !== ',') i++;
      value = header.slice(v, i).trim();
    }
    out[out.length - 1].params[token.toLowerCase()] = value;
  }
  return out;
}

const hash = (algo: string, s: string) => createHash(algo).update(s, 'utf8').digest('hex');

/** The Authorization value answering a Digest challenge for `method uri`. */
export function digestAuthorization(
  c: Challenge,
  creds: CameraCredentials,
  method: string,
  uri: string,
  nc = 1,
  cnonce = randomBytes(8).toString('hex'),
): string {
  const p = c.params;
  const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
  const algo = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  let ha1 = hash(algo, `${creds.username}:${p.realm ?? ''}:${creds.password}`);
  if (algorithm.endsWith('-SESS')) ha1 = hash(algo, `${ha1}:${p.nonce}:${cnonce}`);
  const ha2 = hash(algo, `${method}:${uri}`);
  const qop = (p.qop ?? '')
    .split(',')
    .map((q) => q.trim())
    .includes('auth')
    ? 'auth'
    : undefined;
  const ncHex = nc.toString(16).padStart(8, '0');
  const response = qop ? hash(algo, `${ha1}:${p.nonce}:${ncHex}:${cnonce}:${qop}:${ha2}`) : hash(algo, `${ha1}:${p.nonce}:${ha2}`);
  const parts = [
    `username="${creds.username}"`,
    `realm="${p.realm ?? ''}"`,
    `nonce="${p.nonce ?? ''}"`,
    `uri="${uri}"`,
    `algorithm=${algorithm}`,
    `response="${response}"`,
  ];
  if (qop) parts.push(`qop=${qop}`, `nc=${ncHex}`, `cnonce="${cnonce}"`);
  if (p.opaque !== undefined) parts.push(`opaque="${p.opaque}"`);
  return `Digest ${parts.join(', ')}`;
}

const basic = (c: CameraCredentials) => `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;

/**
 * GET `uri`; when the camera answers 401 and credentials are known, once more answering its challenge (Digest
 * preferred over Basic). Credentials are never sent before the camera asks for them (a Digest camera never sees the
 * password in Basic form). Redirects are followed only on the camera's own origin (at most 3); one to another
 * origin throws CameraRedirectError, so a camera cannot point the gateway at an inside address.
 */
export async function cameraGet(uri: string, creds: CameraCredentials | undefined, timeoutMs: number): Promise<Response> {
  const signal = AbortSignal.timeout(timeoutMs);
  let url = new URL(uri);
  // Credentials in the URI's user info (as some cameras report them) count as the camera's own.
  const own =
    creds ?? (url.username ? { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : undefined);
  url.username = '';
  url.password = '';
  const origin = url.origin;
  for (let hop = 0; ; hop++) {
    const res = await getOnce(url, own, signal);
    const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
    if (location === null) return res;
    await res.body?.cancel();
    const next = new URL(location, url);
    if (next.origin !== origin) throw new CameraRedirectError('other_origin');
    if (hop >= MAX_REDIRECTS) throw new CameraRedirectError('too_many');
    next.username = '';
    next.password = '';
    url = next;
  }
}

async function getOnce(url: URL, own: CameraCredentials | undefined, signal: AbortSignal): Promise<Response> {
  const first = await fetch(url, { signal, redirect: 'manual' });
  if (first.status !== 401 || !own) return first;
  const challenges = parseChallenges(first.headers.get('www-authenticate'));
  await first.body?.cancel();
  const digest =
    challenges.find((c) => c.scheme === 'digest' && /sha-256/i.test(c.params.algorithm ?? '')) ??
    challenges.find((c) => c.scheme === 'digest');
  const authorization = digest ? digestAuthorization(digest, own, 'GET', `${url.pathname}${url.search}`) : basic(own);
  return fetch(url, { signal, redirect: 'manual', headers: { authorization } });
}

/**
 * The body of `res`, read only up to `max` bytes: a declared Content-Length over it is refused before reading, and a
 * body that grows past it (a lying or endless one) is cancelled there. Throws BodyTooLargeError.
 */
export async function readCapped(res: Response, max: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw new BodyTooLargeError(max);
  }
  if (!res.body) return Buffer.alloc(0);
  const chunks: Uint8Array[] = [];
  let n = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.byteLength;
    if (n > max) {
      await reader.cancel();
      throw new BodyTooLargeError(max);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, n);
}

/** A camera's JPEG snapshot, or why not (in words fit for an API answer). */
export async function fetchCameraSnapshot(
  uri: string,
  creds: CameraCredentials | undefined,
  timeoutMs: number,
): Promise<{ jpeg: Buffer } | { error: string; status?: number }> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { error: 'invalid snapshot URI' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `unsupported snapshot URI scheme ${url.protocol}` };
  try {
    const res = await cameraGet(uri, creds, timeoutMs);
    if (!res.ok) {
      await res.body?.cancel();
      return {
        error:
          res.status === 401
            ? creds
              ? 'camera refused the credentials (401)'
              : 'camera answered 401 and no credentials are set'
            : `camera answered ${res.status}`,
        status: res.status,
      };
    }
    const buf = await readCapped(res, SNAPSHOT_MAX_BYTES);
    // A JPEG starts with FF D8 FF; a broken camera may answer 200 with anything.
    if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8 || buf[2] !== 0xff)
      return { error: 'camera sent something that is not a JPEG' };
    return { jpeg: buf };
  } catch (err) {
    if (err instanceof BodyTooLargeError) return { error: `snapshot larger than ${SNAPSHOT_MAX_BYTES / 1024 / 1024} MiB; not taken` };
    if (err instanceof CameraRedirectError) return { error: err.message };
    return {
      error: (err as Error).name === 'TimeoutError' ? 'camera did not answer in time' : `camera unreachable: ${(err as Error).message}`,
    };
  }
}

/** Where a camera's sealed credentials are read (CamerasRepository.sealedCredentials). */
export interface SealedCredentialSource {
  sealedCredentials(id: string): Promise<string | null>;
}

/**
 * The credentials ingest holds for a camera (cameras.credentials_enc, sealed with CREDENTIAL_KEY); undefined when
 * none were sealed or they were sealed with another key (the camera is then asked without).
 */
export async function loadCameraCredentials(
  source: SealedCredentialSource,
  cipher: { decrypt(text: string): CameraCredentials },
  id: string,
): Promise<CameraCredentials | undefined> {
  return openCredentials(cipher, await source.sealedCredentials(id));
}
