// WS-Discovery: one multicast Probe for NetworkVideoTransmitters on the configured interface, collecting every
// ProbeMatch (endpoint urn + XAddrs) with a large receive buffer, since a thousand replies overflow the default.
import onvif from 'onvif';
import type { Discovery as DiscoveryType } from 'onvif';

const { Discovery } = onvif as unknown as { Discovery: typeof DiscoveryType };
// The package's Discovery is one shared emitter that emits 'error' for every unparsable reply; unhandled, that throws.
(Discovery as unknown as NodeJS.EventEmitter).on('error', () => {});

export interface Discovered {
  urn: string;
  xaddr: string;
}

/** 4 MiB: room for ~1,000 probe matches arriving at once. */
const RECEIVE_BUFFER = 4 * 1024 * 1024;

export async function probe(opts: { timeoutMs: number; device?: string }): Promise<Discovered[]> {
  const found = await new Promise<unknown[]>((resolve) => {
    Discovery.probe({ timeout: opts.timeoutMs, resolve: false, device: opts.device, bufferSize: RECEIVE_BUFFER } as never, (_errors: unknown, devices?: unknown[]) =>
      resolve(devices ?? []),
    );
  });
  const out = new Map<string, Discovered>();
  for (const d of found as Record<string, any>[]) {
    const match = d?.probeMatches?.probeMatch;
    const urn = String(match?.endpointReference?.address ?? '');
    const xaddrs = String(match?.XAddrs ?? '').split(/\s+/).filter(Boolean);
    // Prefer an IPv4 http XAddr: some devices list an IPv6 link-local one first.
    const xaddr = xaddrs.find((x) => /^http:\/\/\d+\.\d+\.\d+\.\d+/.test(x)) ?? xaddrs[0];
    if (urn && xaddr) out.set(urn, { urn, xaddr });
  }
  return [...out.values()];
}

const PROBE = (id: string) =>
  '<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header>' +
  `<w:MessageID>urn:uuid:${id}</w:MessageID><w:To e:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>` +
  '<w:Action e:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>' +
  '<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>';

/**
 * A directed (unicast) WS-Discovery probe to one host's port 3702: how a camera added by address tells its endpoint
 * urn. One probe per host answers for every camera behind it (a port range on one host costs one probe).
 */
export async function directedProbe(host: string, timeoutMs: number, port = 3702): Promise<Discovered[]> {
  const dgram = await import('node:dgram');
  const { randomUUID } = await import('node:crypto');
  const socket = dgram.createSocket('udp4');
  const out = new Map<string, Discovered>();
  socket.on('error', () => {});
  socket.on('message', (msg) => {
    const xml = msg.toString('utf8');
    for (const m of xml.matchAll(/<(?:\w+:)?ProbeMatch>([\s\S]*?)<\/(?:\w+:)?ProbeMatch>/g)) {
      const urn = /<(?:\w+:)?Address>([^<]+)<\/(?:\w+:)?Address>/.exec(m[1])?.[1]?.trim();
      const xaddr = /<(?:\w+:)?XAddrs>([^<]+)<\/(?:\w+:)?XAddrs>/.exec(m[1])?.[1]?.trim().split(/\s+/)[0];
      if (urn && xaddr) out.set(normaliseXaddr(xaddr), { urn, xaddr: normaliseXaddr(xaddr) });
    }
  });
  await new Promise<void>((resolve) => socket.bind(0, () => resolve()));
  socket.setRecvBufferSize(RECEIVE_BUFFER);
  const msg = Buffer.from(PROBE(randomUUID()));
  socket.send(msg, port, host);
  await new Promise((r) => setTimeout(r, timeoutMs));
  socket.close();
  return [...out.values()];
}

export function normaliseXaddr(x: string): string {
  try {
    return new URL(x).toString();
  } catch {
    return x;
  }
}
