// One pino logger factory, so every service logs the same JSON shape.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'gridwatch'): Logger {
  return pino({ name, level });
}
