// Fetches a camera snapshot (HTTP GET of the ONVIF snapshot URI with the camera's credentials, Basic or Digest as it
// asks, bounded by a timeout) and checks it is a JPEG.
import { fetchCameraSnapshot } from '../../core/credentials/camera-http.ts';
import type { CameraCredentials } from './credentials.ts';

export async function fetchSnapshot(uri: string, creds: CameraCredentials | undefined, timeoutMs: number): Promise<Buffer> {
  const r = await fetchCameraSnapshot(uri, creds?.password || creds?.username ? creds : undefined, timeoutMs);
  if ('error' in r) throw new Error(`snapshot: ${r.error}`);
  return r.jpeg;
}
