// Fetches a camera's JPEG snapshot over HTTP with a short timeout, and checks it really is a JPEG.
const TIMEOUT_MS = 3000;
const MAX_BYTES = 8 * 1024 * 1024;

export async function fetchSnapshot(uri: string): Promise<{ jpeg: Buffer } | { error: string }> {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { error: 'invalid snapshot URI' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `unsupported snapshot URI scheme ${url.protocol}` };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
    if (!res.ok) return { error: `camera answered ${res.status}` };
    const buf = Buffer.from(await res.arrayBuffer());
    if (buf.length > MAX_BYTES) return { error: 'snapshot too large' };
    // A JPEG starts with FF D8 FF; a broken camera may answer 200 with anything.
    if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8 || buf[2] !== 0xff) return { error: 'camera sent something that is not a JPEG' };
    return { jpeg: buf };
  } catch (err) {
    return { error: (err as Error).name === 'TimeoutError' ? 'camera did not answer in time' : `camera unreachable: ${(err as Error).message}` };
  }
}
