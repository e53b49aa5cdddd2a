export { loadConfig, describeSettings, ConfigError, type Config } from './config.ts';
export { parseDuration, formatDuration } from './duration.ts';
