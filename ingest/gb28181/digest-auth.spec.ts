import digest from 'sip/digest.js';
import type { SipMessage } from 'sip';
import { describe, expect, it } from 'vitest';
import { DigestAuth } from './digest-auth.ts';

const register = (): SipMessage => ({ method: 'REGISTER', uri: 'sip:35030000002000000001@3503000000', headers: {} });
const signed = (auth: DigestAuth, password: string, now?: number) => {
  const rq = register();
  const challenge: SipMessage = { status: 401, headers: { 'www-authenticate': [{ ...auth.challenge(), nonce: `"${auth.nonce(now)}"` }] } };
  digest.signRequest({}, rq, challenge, { user: '35030401001320000001', password });
  return rq;
};

describe('digest authentication', () => {
  const auth = new DigestAuth('3503000000', 60_000);
  const pw = () => 'secret';

  it('when the device signs with the right password, then it is accepted as its user', () => {
    expect(auth.verify(signed(auth, 'secret'), pw)).toEqual({ ok: true, user: '35030401001320000001' });
  });

  it('when the password is wrong, then it is a mismatch', () => {
    expect(auth.verify(signed(auth, 'guess'), pw)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('when no Authorization is sent, then it is missing', () => {
    expect(auth.verify(register(), pw)).toEqual({ ok: false, reason: 'missing' });
  });

  it('when the nonce is older than its lifetime, then it is stale; when forged, then bad', () => {
    expect(auth.verify(signed(auth, 'secret', Date.now() - 120_000), pw)).toEqual({ ok: false, reason: 'stale' });
    const rq = signed(auth, 'secret');
    rq.headers.authorization[0].nonce = '"abc.def"';
    expect(auth.verify(rq, pw)).toEqual({ ok: false, reason: 'bad_nonce' });
  });

  it('when the device answers without qop (RFC 2069 style), then the plain digest is checked', () => {
    const rq = register();
    const nonce = auth.nonce();
    const response = digest.calculateDigest({
      ha1: digest.calculateUserRealmPasswordHash('dev', '3503000000', 'secret'),
      method: 'REGISTER',
      nonce,
      uri: 'sip:x@y',
    });
    rq.headers.authorization = [
      { scheme: 'Digest', username: '"dev"', realm: '"3503000000"', nonce: `"${nonce}"`, uri: '"sip:x@y"', response: `"${response}"` },
    ];
    expect(auth.verify(rq, pw)).toEqual({ ok: true, user: 'dev' });
  });
});
