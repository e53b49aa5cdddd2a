// Fetches a camera snapshot (HTTP GET of the ONVIF snapshot URI, bounded by a timeout) and checks it is a JPEG.
import type { CameraCredentials } from './credentials.ts';

export async function fetchSnapshot(uri: string, creds: CameraCredentials | undefined, timeoutMs: number): Promise<Buffer> {
  const headers: Record<string, string> = {};
  if (creds?.password) headers.authorization = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
  const res = await fetch(uri, { headers, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`snapshot: HTTP ${res.status}`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (!(buf[0] === 0xff && buf[1] === 0xd8)) throw new Error('snapshot: not a JPEG');
  return buf;
}
