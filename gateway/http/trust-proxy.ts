// TRUST_PROXY as fastify's `trustProxy`: which hops in front of the gateway may name the client (X-Forwarded-For,
// -Proto, -Host). Off by default, so a client cannot pick its own address (the login limit counts per address).
import net from 'node:net';
import { ConfigError } from '../../core/config/index.ts';

/** false (off); true (every hop: only behind a proxy that overwrites the header); the nearest n hops; or the proxies' addresses/CIDRs. */
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

export function parseTrustProxy(raw: string | undefined): TrustProxy {
  const text = (raw ?? '').trim();
  if (['', 'off', 'false', 'no', '0'].includes(text.toLowerCase())) return false;
  if (['on', 'true', 'yes'].includes(text.toLowerCase())) return true;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return (_address, hop) => hop < hops;
  }
  const list = text.split(',').map((x) => x.trim());
  for (const entry of list) {
    const [addr, bits, extra] = entry.split('/');
    const family = net.isIP(addr);
    const maxBits = family === 6 ? 128 : 32;
    const bitsOk = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= maxBits);
    // proxy-addr's names for private ranges are accepted as they are.
    const named = ['loopback', 'linklocal', 'uniquelocal'].includes(entry);
    if (!named && (family === 0 || !bitsOk || extra !== undefined))
      throw new ConfigError('TRUST_PROXY', `"${entry}" is not an address, a CIDR range, loopback, linklocal or uniquelocal`);
  }
  return list;
}
