// SIP digest authentication of REGISTER (RFC 2617 MD5, as GB/T 28181 has it): stateless nonces (time and HMAC) that
// expire, answers checked with or without qop=auth, since devices send either.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import digest from 'sip/digest.js';
import type { SipMessage } from 'sip';

const unq = (s: unknown) => (typeof s === 'string' ? s.replace(/^"(.*)"$/, '$1') : undefined);

export type DigestVerdict =
  { ok: true; user: string } | { ok: false; reason: 'missing' | 'stale' | 'bad_nonce' | 'wrong_realm' | 'mismatch' };

export class DigestAuth {
  private readonly secret = randomBytes(32);

  constructor(
    readonly realm: string,
    private readonly nonceTtlMs = 5 * 60_000,
  ) {}

  nonce(now = Date.now()): string {
    const ts = now.toString(36);
    return `${ts}.${createHmac('sha256', this.secret).update(ts).digest('base64url').slice(0, 22)}`;
  }

  /** The WWW-Authenticate header value of a 401 (stale=true when the device's nonce merely expired). */
  challenge(stale = false): Record<string, string> {
    const c: Record<string, string> = {
      scheme: 'Digest',
      realm: `"${this.realm}"`,
      nonce: `"${this.nonce()}"`,
      algorithm: 'MD5',
      qop: '"auth"',
    };
    if (stale) c.stale = 'true';
    return c;
  }

  private nonceState(nonce: string, now: number): 'ok' | 'stale' | 'bad' {
    const [ts, mac] = nonce.split('.');
    if (!ts || !mac) return 'bad';
    const want = createHmac('sha256', this.secret).update(ts).digest('base64url').slice(0, 22);
    if (mac.length !== want.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(want))) return 'bad';
    return now - parseInt(ts, 36) > this.nonceTtlMs ? 'stale' : 'ok';
  }

  /** Checks the request's Authorization against `password`; the user is the device id the device signs with. */
  verify(rq: SipMessage, password: (user: string) => string | undefined, now = Date.now()): DigestVerdict {
    const auth = (rq.headers.authorization as Record<string, string>[] | undefined)?.find((a) => /^digest$/i.test(a.scheme));
    if (!auth) return { ok: false, reason: 'missing' };
    if (unq(auth.realm) !== this.realm) return { ok: false, reason: 'wrong_realm' };
    const nonce = unq(auth.nonce) ?? '';
    const state = this.nonceState(nonce, now);
    if (state !== 'ok') return { ok: false, reason: state === 'stale' ? 'stale' : 'bad_nonce' };
    const user = unq(auth.username) ?? '';
    const pw = password(user);
    if (pw === undefined) return { ok: false, reason: 'mismatch' };
    const qop = unq(auth.qop)?.toLowerCase();
    const expected = digest.calculateDigest({
      ha1: digest.calculateUserRealmPasswordHash(user, this.realm, pw),
      method: rq.method ?? 'REGISTER',
      nonce,
      nc: qop ? unq(auth.nc) : undefined,
      cnonce: qop ? unq(auth.cnonce) : undefined,
      qop: qop === 'auth' ? 'auth' : undefined,
      uri: unq(auth.uri) ?? '',
    });
    const got = Buffer.from((unq(auth.response) ?? '').toLowerCase());
    const want = Buffer.from(expected);
    return got.length === want.length && timingSafeEqual(got, want) ? { ok: true, user } : { ok: false, reason: 'mismatch' };
  }
}
