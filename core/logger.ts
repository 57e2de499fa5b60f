import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** The root logger; modules take a child (`logger.child({ module: 'ingest' })`). */
export function createLogger(level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { app: 'meterwatch' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

/** A logger that writes nothing, for units that need one. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
