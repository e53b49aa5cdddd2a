// The endpoint urn of a camera known only by address: from a directed WS-Discovery probe (done by the caller), else
// GetEndpointReference, else the registry row already at that address, else a stable urn from manufacturer and serial.
import type { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { call, cameraFor, connect, type Camera } from './onvif-client.ts';
import type { CameraCredentials } from './credentials.ts';

type RawRequest = (o: { service: string; body: string }, cb: (err: unknown, data: any) => void) => void;

async function endpointReference(cam: Camera, timeoutMs: number): Promise<string | undefined> {
  const c = cam as unknown as { _request: RawRequest; _envelopeHeader: () => string; _envelopeFooter: () => string };
  const body = `${c._envelopeHeader()}<GetEndpointReference xmlns="http://www.onvif.org/ver10/device/wsdl"/>${c._envelopeFooter()}`;
  const data = await call<any>(timeoutMs, (cb) => c._request({ service: 'device', body }, cb)).catch(() => undefined);
  const guid = data?.[0]?.getEndpointReferenceResponse?.[0]?.GUID?.[0] ?? data?.[0]?.getEndpointReferenceResponse?.[0]?.guid?.[0];
  return guid ? String(guid) : undefined;
}

export async function resolveUrn(xaddr: string, creds: CameraCredentials, timeoutMs: number, repo: CamerasRepository): Promise<string | undefined> {
  const cam = cameraFor({ xaddr, username: creds.username, password: creds.password, timeoutMs });
  const known = (await repo.watchTargets()).find((t) => t.xaddr === xaddr && t.urn);
  try {
    await connect(cam, timeoutMs);
  } catch {
    // Unreachable or refusing our credentials: the row already at this address keeps being watched.
    return known?.urn ?? undefined;
  }
  const ref = await endpointReference(cam, timeoutMs);
  if (ref) return ref.startsWith('urn:') ? ref : `urn:uuid:${ref}`;
  if (known?.urn) return known.urn;
  const info = await call<Record<string, unknown>>(timeoutMs, (cb) => cam.getDeviceInformation((err, d) => cb(err, d as Record<string, unknown>))).catch(() => undefined);
  if (!info?.serialNumber) return undefined;
  return `urn:gridwatch:serial:${String(info.manufacturer ?? 'unknown').replace(/\s+/g, '_')}:${String(info.serialNumber)}`;
}
