// Camera credentials from CAMERA_CREDENTIALS_FILE: rules per site (address range, grid unit, property) and per
// camera (urn, id, address), resolved with precedence camera > site > default. Pure except for reading the file.
import { BlockList, isIP } from 'node:net';
import { readFile } from 'node:fs/promises';
import { Type, type Static } from '@sinclair/typebox';
import { validator, ValidationError } from '../../core/events/validate.ts';
import type { CameraCredentials } from './credentials.ts';

const Name = Type.String({ minLength: 1, maxLength: 256 });
const Secret = {
  username: Type.String({ minLength: 1, maxLength: 256, description: 'ONVIF user' }),
  password: Type.Optional(Type.String({ maxLength: 1024, description: 'The password itself (prefer passwordEnv)' })),
  passwordEnv: Type.Optional(
    Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Environment variable holding the password' }),
  ),
};

export const SiteRule = Type.Object(
  {
    name: Name,
    addresses: Type.Optional(Type.Array(Name, { description: 'CIDR (10.1.0.0/16), range (10.1.0.10-10.1.0.99) or one IP' })),
    gridUnits: Type.Optional(Type.Array(Name, { description: 'Grid unit ids at any level: district, town, community, cell' })),
    properties: Type.Optional(Type.Array(Name, { description: 'Property (compound) ids: the cameras in their cells' })),
    ...Secret,
  },
  { additionalProperties: false },
);

export const CameraRule = Type.Object(
  {
    urn: Type.Optional(Name),
    id: Type.Optional(Name),
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Host, or host:port, of the device service' })),
    ...Secret,
  },
  { additionalProperties: false },
);

export const CredentialRulesFile = Type.Object(
  { sites: Type.Optional(Type.Array(SiteRule)), cameras: Type.Optional(Type.Array(CameraRule)) },
  { additionalProperties: false },
);
export type CredentialRulesFile = Static<typeof CredentialRulesFile>;

/** What is known about a camera when its credentials are chosen (only the address while it is being identified). */
export interface CameraFacts {
  xaddr: string;
  id?: string;
  urn?: string | null;
  /** The grid units the camera lies in (its cell and every ancestor). */
  gridUnits?: readonly string[];
  /** The properties whose cell the camera is in. */
  properties?: readonly string[];
}

export interface Resolved {
  credentials: CameraCredentials;
  /** Which rule gave them: `camera:<…>`, `site:<name>` or `default` (for logs; never the secret). */
  rule: string;
}

interface Compiled {
  rule: string;
  credentials: CameraCredentials;
  matches: (c: CameraFacts) => boolean;
}

export interface CredentialRules {
  cameras: Compiled[];
  sites: Compiled[];
}

export const NO_RULES: CredentialRules = { cameras: [], sites: [] };

export class CredentialRulesError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
    source = 'CAMERA_CREDENTIALS_FILE',
  ) {
    super(`${source}: ${field}: ${detail}`);
  }
}

const check = validator(CredentialRulesFile);

/** Validates a parsed file and resolves `passwordEnv` from `env`; throws CredentialRulesError naming the field. */
export function compileRules(value: unknown, env: NodeJS.ProcessEnv): CredentialRules {
  let file: CredentialRulesFile;
  try {
    file = check(value);
  } catch (err) {
    if (err instanceof ValidationError) throw new CredentialRulesError(err.field, err.detail);
    throw err;
  }
  const cameras = (file.cameras ?? []).map((r, i): Compiled => {
    const at = `cameras.${i}`;
    if (!r.urn && !r.id && !r.address) throw new CredentialRulesError(at, 'give urn, id or address');
    const want = r.address?.toLowerCase();
    return {
      rule: `camera:${r.id ?? r.urn ?? r.address}`,
      credentials: secretOf(r, at, env),
      matches: (c) => (!r.urn || c.urn === r.urn) && (!r.id || c.id === r.id) && (!want || addressOf(c.xaddr).some((a) => a === want)),
    };
  });
  const sites = (file.sites ?? []).map((r, i): Compiled => {
    const at = `sites.${i}`;
    if (!r.addresses?.length && !r.gridUnits?.length && !r.properties?.length)
      throw new CredentialRulesError(at, 'give addresses, gridUnits or properties');
    const range = addressList(r.addresses ?? [], `${at}.addresses`);
    const units = new Set(r.gridUnits ?? []);
    const props = new Set(r.properties ?? []);
    return {
      rule: `site:${r.name}`,
      credentials: secretOf(r, at, env),
      matches: (c) =>
        inRange(range, c.xaddr) || (c.gridUnits ?? []).some((u) => units.has(u)) || (c.properties ?? []).some((p) => props.has(p)),
    };
  });
  return { cameras, sites };
}

/** Reads and compiles the file; errors name the file and the field. */
export async function readCredentialRules(file: string, env: NodeJS.ProcessEnv = process.env): Promise<CredentialRules> {
  const source = `CAMERA_CREDENTIALS_FILE ${file}`;
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new CredentialRulesError('(file)', `cannot read (${err.code ?? err.message})`, source);
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CredentialRulesError('(file)', `not JSON: ${(err as Error).message}`, source);
  }
  try {
    return compileRules(value, env);
  } catch (err) {
    throw err instanceof CredentialRulesError ? new CredentialRulesError(err.field, err.detail, source) : err;
  }
}

/** The first matching camera rule, else the first matching site rule, else the default. */
export function resolveCredentials(rules: CredentialRules, camera: CameraFacts, defaults: CameraCredentials): Resolved {
  const hit = rules.cameras.find((r) => r.matches(camera)) ?? rules.sites.find((r) => r.matches(camera));
  return hit ? { credentials: hit.credentials, rule: hit.rule } : { credentials: defaults, rule: 'default' };
}

function secretOf(r: { username: string; password?: string; passwordEnv?: string }, at: string, env: NodeJS.ProcessEnv): CameraCredentials {
  if ((r.password === undefined) === (r.passwordEnv === undefined))
    throw new CredentialRulesError(at, 'give exactly one of password and passwordEnv');
  if (r.password !== undefined) return { username: r.username, password: r.password };
  const password = env[r.passwordEnv!];
  if (password === undefined) throw new CredentialRulesError(`${at}.passwordEnv`, `environment variable ${r.passwordEnv} is not set`);
  return { username: r.username, password };
}

/** The host and host:port of a device-service URL, lower case. */
function addressOf(xaddr: string): string[] {
  try {
    const u = new URL(xaddr);
    const host = u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    return [host, `${u.hostname.toLowerCase()}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`];
  } catch {
    return [];
  }
}

function addressList(entries: readonly string[], at: string): BlockList | undefined {
  if (!entries.length) return undefined;
  const list = new BlockList();
  entries.forEach((raw, i) => {
    const e = raw.trim();
    const family = (ip: string) => (isIP(ip) === 6 ? 'ipv6' : 'ipv4');
    const cidr = /^([^/]+)\/(\d{1,3})$/.exec(e);
    const range = /^([^-]+)-([^-]+)$/.exec(e);
    const bad = () =>
      new CredentialRulesError(`${at}.${i}`, `"${raw}" is not an IP, a CIDR (10.1.0.0/16) or a range (10.1.0.10-10.1.0.99)`);
    if (cidr) {
      const bits = Number(cidr[2]);
      if (!isIP(cidr[1]) || bits > (isIP(cidr[1]) === 6 ? 128 : 32)) throw bad();
      list.addSubnet(cidr[1], bits, family(cidr[1]));
    } else if (range) {
      const [lo, hi] = [range[1].trim(), range[2].trim()];
      if (!isIP(lo) || isIP(lo) !== isIP(hi)) throw bad();
      try {
        list.addRange(lo, hi, family(lo));
      } catch {
        throw bad();
      }
    } else if (isIP(e)) {
      list.addAddress(e, family(e));
    } else {
      throw bad();
    }
  });
  return list;
}

function inRange(list: BlockList | undefined, xaddr: string): boolean {
  if (!list) return false;
  const host = addressOf(xaddr)[0];
  const v = host ? isIP(host) : 0;
  return v !== 0 && list.check(host!, v === 6 ? 'ipv6' : 'ipv4');
}
