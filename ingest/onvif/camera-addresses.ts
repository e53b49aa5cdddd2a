// Parses CAMERA_ADDRESSES: comma-separated `host:port` or `host:port-port` (a port range on one host), plus
// optional `http://host:port/path` device-service URLs; each becomes one device-service XAddr to probe.
const DEFAULT_PATH = '/onvif/device_service';

export function parseCameraAddresses(text: string | undefined): string[] {
  if (!text?.trim()) return [];
  const out: string[] = [];
  for (const raw of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    if (/^https?:\/\//.test(raw)) {
      out.push(new URL(raw).toString());
      continue;
    }
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+)(?:-(\d+))?)?$/.exec(raw);
    if (!m) throw new Error(`CAMERA_ADDRESSES: cannot read "${raw}" (expected host:port or host:port-port)`);
    const host = m[1];
    const lo = Number(m[2] ?? 80);
    const hi = Number(m[3] ?? lo);
    if (hi < lo || hi - lo > 65_535 || hi > 65_535) throw new Error(`CAMERA_ADDRESSES: bad port range in "${raw}"`);
    for (let p = lo; p <= hi; p++) out.push(`http://${host}:${p}${DEFAULT_PATH}`);
  }
  return [...new Set(out)];
}
