// The endpoint urn of a camera known only by address: from a directed WS-Discovery probe (done by the caller), else
// GetEndpointReference, else the registry row already at that address (unless the device reports another serial: a
// replaced unit), else a stable urn from manufacturer and serial.
import type { CamerasRepository } from '../../core/db/repositories/cameras.repository.ts';
import { call, cameraFor, type Camera } from './onvif-client.ts';
import { connectLight } from './inventory.ts';
import { deviceText } from '../device-text.ts';
import type { CameraCredentials } from './credentials.ts';

type RawRequest = (o: { service: string; body: string }, cb: (err: unknown, data: any) => void) => void;

async function endpointReference(cam: Camera, timeoutMs: number): Promise<string | undefined> {
  const c = cam as unknown as { _request: RawRequest; _envelopeHeader: () => string; _envelopeFooter: () => string };
  const body = `${c._envelopeHeader()}<GetEndpointReference xmlns="http://www.onvif.org/ver10/device/wsdl"/>${c._envelopeFooter()}`;
  const data = await call<any>(timeoutMs, (cb) => c._request({ service: 'device', body }, cb)).catch(() => undefined);
  const guid = data?.[0]?.getEndpointReferenceResponse?.[0]?.GUID?.[0] ?? data?.[0]?.getEndpointReferenceResponse?.[0]?.guid?.[0];
  return guid ? String(guid) : undefined;
}

/** What a device says it is (GetDeviceInformation), asked with the credentials for its address; undefined when it will not say. */
export async function deviceInformation(
  xaddr: string,
  creds: CameraCredentials,
  timeoutMs: number,
): Promise<{ manufacturer?: string; serial?: string; hardware?: string } | undefined> {
  const cam = cameraFor({ xaddr, username: creds.username, password: creds.password, timeoutMs });
  try {
    await connectLight(cam, xaddr, timeoutMs);
    const info = await call<Record<string, unknown>>(timeoutMs, (cb) =>
      cam.getDeviceInformation((err, d) => cb(err, d as Record<string, unknown>)),
    );
    const s = (v: unknown) => (v === undefined || v === null ? undefined : deviceText(String(v)).trim() || undefined);
    return { manufacturer: s(info?.manufacturer), serial: s(info?.serialNumber), hardware: s(info?.hardwareId) };
  } catch {
    return undefined;
  }
}

export async function resolveUrn(
  xaddr: string,
  creds: CameraCredentials,
  timeoutMs: number,
  repo: CamerasRepository,
): Promise<string | undefined> {
  const cam = cameraFor({ xaddr, username: creds.username, password: creds.password, timeoutMs });
  const known = (await repo.watchTargets()).find((t) => t.xaddr === xaddr && t.urn);
  try {
    await connectLight(cam, xaddr, timeoutMs);
  } catch {
    // Unreachable or refusing our credentials: the row already at this address keeps being watched.
    return known?.urn ?? undefined;
  }
  const ref = await endpointReference(cam, timeoutMs);
  if (ref) return ref.startsWith('urn:') ? ref : `urn:uuid:${ref}`;
  const info = await call<Record<string, unknown>>(timeoutMs, (cb) =>
    cam.getDeviceInformation((err, d) => cb(err, d as Record<string, unknown>)),
  ).catch(() => undefined);
  const serial = info?.serialNumber ? String(info.serialNumber) : undefined;
  if (known?.urn) {
    // The row at this address is this device unless the device says another serial (a unit replaced at the same
    // address is a new camera: serial wins over address).
    const row = await repo.get(known.id);
    if (!serial || !row?.serial || row.serial === serial) return known.urn;
  }
  if (!serial) return undefined;
  return `urn:gridwatch:serial:${String(info?.manufacturer ?? 'unknown').replace(/\s+/g, '_')}:${serial}`;
}
