// Parses the environment once against `settings`, fails with the name of the bad variable, and freezes the result.
import { parseDuration } from './duration.ts';
import { settings, type Setting, type SettingKey } from './config.schema.ts';

type ValueOf<S extends Setting> = S['kind'] extends 'int' | 'decimal' | 'duration' ? number : S['kind'] extends 'bool' ? boolean : string;

type HasDefault<S> = S extends { default: string } ? true : false;

export type Config = {
  readonly [K in SettingKey]: HasDefault<(typeof settings)[K]> extends true
    ? ValueOf<(typeof settings)[K]>
    : ValueOf<(typeof settings)[K]> | undefined;
};

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** `sentence`, when given, is the whole message (a valid value that cannot be used, such as a port in use). */
  constructor(
    readonly variable: string,
    reason: string,
    sentence?: string,
  ) {
    super(sentence ?? `Invalid environment variable ${variable}: ${reason}`);
  }
}

function parseValue(setting: Setting, raw: string): string | number | boolean {
  switch (setting.kind) {
    case 'int':
    case 'decimal': {
      const int = setting.kind === 'int';
      if (!(int ? /^-?\d+$/ : /^-?(\d+(\.\d*)?|\.\d+)$/).test(raw.trim()))
        throw new ConfigError(setting.env, `expected ${int ? 'an integer' : 'a decimal number like 0.36'}, got "${raw}"`);
      const n = Number(raw);
      if (setting.min !== undefined && n < setting.min) throw new ConfigError(setting.env, `must be ≥ ${setting.min}, got ${n}`);
      if (setting.max !== undefined && n > setting.max) throw new ConfigError(setting.env, `must be ≤ ${setting.max}, got ${n}`);
      return n;
    }
    case 'duration': {
      const ms = parseDuration(raw);
      if (ms === undefined) throw new ConfigError(setting.env, `expected a duration like 30s, 5m, 4h or 2d, got "${raw}"`);
      return ms;
    }
    case 'bool': {
      const v = raw.toLowerCase();
      if (['1', 'true', 'on', 'yes'].includes(v)) return true;
      if (['0', 'false', 'off', 'no'].includes(v)) return false;
      throw new ConfigError(setting.env, `expected on/off (true/false, 1/0), got "${raw}"`);
    }
    case 'url':
      try {
        // Several servers of one cluster are given comma-separated (nats://a:4222,nats://b:4222).
        for (const part of raw.split(',')) new URL(part.trim());
      } catch {
        throw new ConfigError(setting.env, `expected a URL, got "${raw}"`);
      }
      return raw;
    case 'enum':
      if (!setting.values?.includes(raw)) throw new ConfigError(setting.env, `expected one of ${setting.values?.join(', ')}, got "${raw}"`);
      return raw;
    default:
      return raw;
  }
}

/** Reads every setting from `env`; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(settings) as [SettingKey, Setting][]) {
    const raw = env[setting.env];
    const text = raw !== undefined && raw !== '' ? raw : setting.default;
    out[key] = text === undefined ? undefined : parseValue(setting, text);
  }
  if (out.simulate === undefined) out.simulate = !out.databaseUrl && !out.mqttUrl;
  if (out.simulate) {
    // Simulation shortens the deadlines that were not set, so a demo sees tickets go overdue and escalate.
    for (const [key, setting] of Object.entries(settings) as [SettingKey, Setting][]) {
      const raw = env[setting.env];
      if (setting.simDefault !== undefined && (raw === undefined || raw === '')) out[key] = parseValue(setting, setting.simDefault);
    }
  }
  return Object.freeze(out) as Config;
}

/** Markdown table of all settings, for the README. */
export function describeSettings(): string {
  const rows = Object.values(settings as Record<string, Setting>).map(
    (s) => `| \`${s.env}\` | ${s.default === undefined ? '—' : `\`${s.default}\``} | ${s.description} |`,
  );
  return ['| Variable | Default | Meaning |', '| --- | --- | --- |', ...rows].join('\n');
}
