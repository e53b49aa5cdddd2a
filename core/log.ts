// One pino logger factory, so every service logs the same JSON shape — and, on a terminal, the same lines readable
// (pino-pretty), since a person reads those and a collector reads the rest.
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info', name = 'gridwatch'): Logger {
  return loggerTo(process.stdout, level, name);
}

/** A logger writing to `out`: pino-pretty lines when `out` is a terminal, one JSON object a line otherwise. */
export function loggerTo(out: NodeJS.WritableStream & { isTTY?: boolean }, level: string, name: string): Logger {
  if (!out.isTTY) return pino({ name, level }, out as pino.DestinationStream);
  // Synchronous, so the last line before an exit (a failed start) is not lost.
  return pino(
    { name, level },
    pretty({ destination: out, sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  );
}
