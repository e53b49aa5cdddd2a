import { describe, expect, it } from 'vitest';
import { parseTrustProxy } from './trust-proxy.ts';

describe('parseTrustProxy', () => {
  it('when unset or off, then no proxy is trusted; on, a hop count or a list are passed on as fastify takes them', () => {
    expect(parseTrustProxy(undefined)).toBe(false);
    expect(parseTrustProxy('off')).toBe(false);
    expect(parseTrustProxy('on')).toBe(true);
    const two = parseTrustProxy('2') as (a: string, hop: number) => boolean;
    expect([0, 1, 2].map((hop) => two('10.0.0.1', hop))).toEqual([true, true, false]);
    expect(parseTrustProxy('10.0.0.1, 192.168.0.0/16,loopback, fd00::/8')).toEqual(['10.0.0.1', '192.168.0.0/16', 'loopback', 'fd00::/8']);
  });

  it('when an entry is not an address or range, then the error names TRUST_PROXY', () => {
    expect(() => parseTrustProxy('proxy.local')).toThrow(/TRUST_PROXY.*proxy\.local/);
    expect(() => parseTrustProxy('10.0.0.0/40')).toThrow(/TRUST_PROXY/);
  });
});
