import { describe, expect, it } from 'vitest';
import { compileRules, CredentialRulesError, resolveCredentials, type CameraFacts } from './credential-rules.ts';

const defaults = { username: 'admin', password: 'default-pw' };
const env = { NORTH_PW: 'north-pw' };
const rules = compileRules(
  {
    sites: [
      { name: 'north', addresses: ['10.1.0.0/16', '10.9.0.10-10.9.0.20'], username: 'north', passwordEnv: 'NORTH_PW' },
      { name: 'old-town', gridUnits: ['community-7'], properties: ['p-3'], username: 'town', password: 'town-pw' },
      { name: 'wide', addresses: ['10.0.0.0/8'], username: 'wide', password: 'wide-pw' },
    ],
    cameras: [
      { urn: 'urn:uuid:aaaa', username: 'by-urn', password: 'u' },
      { id: 'cam-7', username: 'by-id', password: 'i' },
      { address: '10.1.2.3:8080', username: 'by-address', password: 'a' },
    ],
  },
  env,
);
const at = (xaddr: string, more: Partial<CameraFacts> = {}) => resolveCredentials(rules, { xaddr, ...more }, defaults);

describe('credential rules', () => {
  it('when a camera is in a site range, then the site credentials apply, the password taken from the environment', () => {
    expect(at('http://10.1.5.6/onvif/device_service')).toEqual({
      credentials: { username: 'north', password: 'north-pw' },
      rule: 'site:north',
    });
    expect(at('http://10.9.0.15/onvif/device_service').rule).toBe('site:north');
    expect(at('http://10.9.0.21/onvif/device_service').rule).toBe('site:wide');
  });

  it('when a camera lies in a grid unit or property of a site, then that site applies', () => {
    expect(at('http://192.168.1.2/', { gridUnits: ['cell-1', 'community-7', 'district-1'] }).rule).toBe('site:old-town');
    expect(at('http://192.168.1.2/', { properties: ['p-3'] }).rule).toBe('site:old-town');
  });

  it('when several rules match, then camera beats site, site beats default, and the first site in the file wins', () => {
    expect(at('http://10.1.5.6/', { urn: 'urn:uuid:aaaa' }).rule).toBe('camera:urn:uuid:aaaa');
    expect(at('http://10.1.5.6/', { id: 'cam-7', gridUnits: ['community-7'] }).credentials.username).toBe('by-id');
    expect(at('http://10.1.2.3:8080/onvif/device_service').credentials.username).toBe('by-address');
    expect(at('http://10.1.2.3:8081/onvif/device_service').rule).toBe('site:north');
    expect(at('http://192.168.1.2/onvif/device_service')).toEqual({ credentials: defaults, rule: 'default' });
    expect(at('http://camera.local/onvif/device_service').rule).toBe('default');
  });

  it('when the file is wrong, then the error names the field', () => {
    const bad = (v: unknown, e: NodeJS.ProcessEnv = env) => {
      try {
        compileRules(v, e);
      } catch (err) {
        expect(err).toBeInstanceOf(CredentialRulesError);
        return (err as CredentialRulesError).field;
      }
      throw new Error('accepted');
    };
    expect(bad({ sites: [{ name: 's', addresses: ['10.0.0.0/8'], password: 'x' }] })).toBe('sites.0.username');
    expect(bad({ sites: [{ name: 's', addresses: ['10.0.0.0/8', '10.0.0/33'], username: 'u', password: 'x' }] })).toBe(
      'sites.0.addresses.1',
    );
    expect(bad({ sites: [{ name: 's', username: 'u', password: 'x' }] })).toBe('sites.0');
    expect(bad({ cameras: [{ id: 'c', username: 'u', passwordEnv: 'MISSING_PW' }] })).toBe('cameras.0.passwordEnv');
    expect(bad({ cameras: [{ id: 'c', username: 'u', password: 'a', passwordEnv: 'NORTH_PW' }] })).toBe('cameras.0');
    expect(bad({ cameras: [{ username: 'u', password: 'a' }] })).toBe('cameras.0');
    expect(bad({ camera: [] })).toBe('camera');
  });
});
