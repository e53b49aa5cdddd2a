// WS-Discovery: a Probe for NetworkVideoTransmitters, multicast on the configured interface or directed (unicast) to
// one host, collecting every ProbeMatch (endpoint urn + XAddrs) with a large receive buffer, since a thousand replies
// overflow the default. Replies are read leniently: a <ProbeMatch> without its <ProbeMatches> wrapper (old Dahua-OEM
// firmware) still counts; a reply with no usable match (an empty <ProbeMatches/>, no urn or no XAddrs, not XML) is
// counted as unparsed with its sender, never dropped in silence.
import dgram from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { networkInterfaces } from 'node:os';

export interface Discovered {
  urn: string;
  xaddr: string;
}

/** A reply that named no camera, and who sent it. */
export interface UnparsedReply {
  from: string;
  reason: string;
}

export interface ProbeResult {
  found: Discovered[];
  unparsed: UnparsedReply[];
}

/** 4 MiB: room for ~1,000 probe matches arriving at once. */
const RECEIVE_BUFFER = 4 * 1024 * 1024;
export const WS_DISCOVERY_GROUP = '239.255.255.250';
export const WS_DISCOVERY_PORT = 3702;

const PROBE = (id: string) =>
  '<?xml version="1.0" encoding="UTF-8"?><e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope" xmlns:w="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><e:Header>' +
  `<w:MessageID>urn:uuid:${id}</w:MessageID><w:To e:mustUnderstand="true">urn:schemas-xmlsoap-org:ws:2005:04:discovery</w:To>` +
  '<w:Action e:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</w:Action></e:Header>' +
  '<e:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></e:Body></e:Envelope>';

/**
 * The cameras named in one WS-Discovery reply, or why none. Each <ProbeMatch> is read on its own, wrapped in
 * <ProbeMatches> or not; an IPv4 http XAddr is preferred (some devices list an IPv6 link-local one first).
 */
export function parseProbeMatches(xml: string): Discovered[] | { reason: string } {
  if (!/<(?:[\w-]+:)?Envelope\b/.test(xml)) return { reason: 'not a SOAP envelope' };
  const out: Discovered[] = [];
  let matches = 0;
  for (const m of xml.matchAll(/<(?:[\w-]+:)?ProbeMatch(?:\s[^>]*)?>([\s\S]*?)<\/(?:[\w-]+:)?ProbeMatch>/g)) {
    matches++;
    const urn = /<(?:[\w-]+:)?Address>\s*([^<]+?)\s*<\/(?:[\w-]+:)?Address>/.exec(m[1])?.[1];
    const xaddrs = (/<(?:[\w-]+:)?XAddrs>([^<]*)<\/(?:[\w-]+:)?XAddrs>/.exec(m[1])?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
    const xaddr = xaddrs.find((x) => /^http:\/\/\d+\.\d+\.\d+\.\d+/.test(x)) ?? xaddrs[0];
    if (urn && xaddr) out.push({ urn, xaddr: normaliseXaddr(xaddr) });
  }
  if (out.length) return out;
  if (matches) return { reason: 'ProbeMatch without endpoint address or XAddrs' };
  if (/<(?:[\w-]+:)?ProbeMatches\s*\/>|<(?:[\w-]+:)?ProbeMatches>\s*<\/(?:[\w-]+:)?ProbeMatches>/.test(xml))
    return { reason: 'empty ProbeMatches' };
  return { reason: 'no ProbeMatch' };
}

/** The IPv4 address of a network interface by name (multicast goes out of it), or undefined for the default. */
function interfaceAddress(device: string | undefined): string | undefined {
  if (!device) return undefined;
  return networkInterfaces()[device]?.find((a) => a.family === 'IPv4')?.address;
}

async function probeTo(host: string, port: number, timeoutMs: number, multicastInterface?: string): Promise<ProbeResult> {
  const socket = dgram.createSocket('udp4');
  const found = new Map<string, Discovered>();
  const unparsed: UnparsedReply[] = [];
  const id = randomUUID();
  socket.on('error', () => {});
  socket.on('message', (msg, rinfo) => {
    const xml = msg.toString('utf8');
    // Our own probe looped back, or another client's probe: not a reply.
    if (/<(?:[\w-]+:)?Probe\b/.test(xml) && !/ProbeMatch/.test(xml)) return;
    const r = parseProbeMatches(xml);
    if (Array.isArray(r)) for (const d of r) found.set(d.urn, d);
    else unparsed.push({ from: `${rinfo.address}:${rinfo.port}`, reason: r.reason });
  });
  await new Promise<void>((resolve) => socket.bind(0, () => resolve()));
  socket.setRecvBufferSize(RECEIVE_BUFFER);
  if (multicastInterface) socket.setMulticastInterface(multicastInterface);
  socket.send(Buffer.from(PROBE(id)), port, host);
  await new Promise((r) => setTimeout(r, timeoutMs));
  socket.close();
  return { found: [...found.values()], unparsed };
}

/** A multicast probe on the interface named `device` (default: the system's choice), answers for `timeoutMs`. */
export async function probe(opts: { timeoutMs: number; device?: string; port?: number }): Promise<Discovered[]> {
  return (await probeAll(opts)).found;
}

/** As probe(), with the replies that named no camera. */
export function probeAll(opts: { timeoutMs: number; device?: string; port?: number }): Promise<ProbeResult> {
  return probeTo(WS_DISCOVERY_GROUP, opts.port ?? WS_DISCOVERY_PORT, opts.timeoutMs, interfaceAddress(opts.device));
}

/**
 * A directed (unicast) WS-Discovery probe to one host's port 3702: how a camera added by address tells its endpoint
 * urn. One probe per host answers for every camera behind it (a port range on one host costs one probe).
 */
export async function directedProbe(host: string, timeoutMs: number, port = WS_DISCOVERY_PORT): Promise<Discovered[]> {
  return (await directedProbeAll(host, timeoutMs, port)).found;
}

export function directedProbeAll(host: string, timeoutMs: number, port = WS_DISCOVERY_PORT): Promise<ProbeResult> {
  return probeTo(host, port, timeoutMs);
}

export function normaliseXaddr(x: string): string {
  try {
    return new URL(x).toString();
  } catch {
    return x;
  }
}
