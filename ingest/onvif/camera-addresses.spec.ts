import { describe, expect, it } from 'vitest';
import { parseCameraAddresses } from './camera-addresses.ts';
import { CredentialCipher } from './credentials.ts';

describe('camera addresses', () => {
  it('when given hosts, ports and ranges, then each becomes a device-service URL', () => {
    expect(parseCameraAddresses('10.0.0.5:8000-8002, cam.local, http://10.0.0.9:81/onvif/dev')).toEqual([
      'http://10.0.0.5:8000/onvif/device_service',
      'http://10.0.0.5:8001/onvif/device_service',
      'http://10.0.0.5:8002/onvif/device_service',
      'http://cam.local:80/onvif/device_service',
      'http://10.0.0.9:81/onvif/dev',
    ]);
  });
  it('when empty, then none; when malformed, then the error names the entry', () => {
    expect(parseCameraAddresses(undefined)).toEqual([]);
    expect(() => parseCameraAddresses('a:9-3')).toThrow(/a:9-3/);
  });
});

describe('credential cipher', () => {
  it('when encrypted, then the text hides the password and decrypts only with the same key', () => {
    const c = CredentialCipher.fromSecret('k1');
    const enc = c.encrypt({ username: 'admin', password: 's3cret-pw' });
    expect(enc).not.toContain('s3cret');
    expect(c.decrypt(enc)).toEqual({ username: 'admin', password: 's3cret-pw' });
    expect(() => CredentialCipher.fromSecret('k2').decrypt(enc)).toThrow();
  });
});
