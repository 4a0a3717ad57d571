import { pino, destination, stdTimeFunctions, type Logger as PinoLogger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Structured JSON logger (pino). `child` adds fixed fields such as the service or exchange. */
export interface Logger {
  error(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export function createLogger(options: { level: LogLevel; name?: string; destination?: NodeJS.WritableStream }): Logger {
  const base = pino(
    { level: options.level, name: options.name, base: undefined, timestamp: stdTimeFunctions.isoTime },
    options.destination ?? destination({ dest: 2, sync: false }),
  );
  return wrap(base);
}

function wrap(l: PinoLogger): Logger {
  return {
    error: (o, m) => (typeof o === 'string' ? l.error(o) : l.error(o, m)),
    warn: (o, m) => (typeof o === 'string' ? l.warn(o) : l.warn(o, m)),
    info: (o, m) => (typeof o === 'string' ? l.info(o) : l.info(o, m)),
    debug: (o, m) => (typeof o === 'string' ? l.debug(o) : l.debug(o, m)),
    child: (b) => wrap(l.child(b)),
  };
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = createLogger({ level: 'silent' });
