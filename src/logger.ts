import { pino, type Logger } from 'pino';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Where log lines go; defaults to stderr so stdout stays free for command output. */
  destination?: NodeJS.WritableStream;
}

// Secrets must never reach a log line, whatever the caller logs.
const REDACT_PATHS = ['apiKey', '*.apiKey', 'headers.authorization', 'headers["x-api-key"]', 'token', '*.token'];

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.EMBEDHOST_LOG_LEVEL ?? 'info';
  return pino(
    { level, base: { name: 'embedhost' }, redact: { paths: REDACT_PATHS, censor: '[redacted]' } },
    (options.destination ?? process.stderr) as pino.DestinationStream,
  );
}

export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
