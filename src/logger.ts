import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where log lines go; defaults to stderr so stdout stays free for command output. */
  destination?: NodeJS.WritableStream;
}

// Secrets must never reach a log line, whatever the caller logs.
const REDACT_PATHS = ['apiKey', '*.apiKey', 'key.key', 'headers.authorization', 'headers["x-api-key"]', 'token', '*.token'];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.EMBEDHOST_LOG_LEVEL ?? 'info';
  const settings = { level, base: { name: 'embedhost' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  // Pretty for a person at a terminal; JSON lines for everything else (files, log shippers, tests).
  if (!options.destination && process.stderr.isTTY) return pino(settings, pretty({ destination: 2, colorize: true, sync: true, ignore: 'pid,hostname,name' }));
  return pino(settings, (options.destination ?? process.stderr) as pino.DestinationStream);
}

export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
