// Opening a camera's stream with its credentials, for the gateway's live view and clips: the sealed credentials
// opened with the shared key, put into an RTSP URI (ffmpeg answers Basic and Digest challenges itself) or into an
// HTTP Basic header for an MJPEG stream.
import type { CameraCredentials, CredentialCipher } from './credential-cipher.ts';

/** The credentials sealed in `cameras.credentials_enc`, or undefined when none or sealed with another key. */
export function openCredentials(
  cipher: Pick<CredentialCipher, 'decrypt'>,
  sealed: string | null | undefined,
): CameraCredentials | undefined {
  if (!sealed) return undefined;
  try {
    const c = cipher.decrypt(sealed);
    return c.username ? { username: c.username, password: c.password } : undefined;
  } catch {
    return undefined;
  }
}

/** The URI with the credentials as its user info (replacing any there); unchanged without credentials. */
export function uriWithCredentials(uri: string, c: CameraCredentials | undefined): string {
  if (!c) return uri;
  const u = new URL(uri);
  u.username = encodeURIComponent(c.username);
  u.password = encodeURIComponent(c.password);
  return u.toString();
}

/** An Authorization header for an HTTP stream (MJPEG); empty without credentials. */
export function basicAuthHeader(c: CameraCredentials | undefined): Record<string, string> {
  return c ? { authorization: `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}` } : {};
}

/** A URI with its user info hidden, for logs. */
export function redactUri(uri: string): string {
  try {
    const u = new URL(uri);
    if (u.username || u.password) {
      u.username = '***';
      u.password = '';
    }
    return u.toString();
  } catch {
    return '(invalid URI)';
  }
}
