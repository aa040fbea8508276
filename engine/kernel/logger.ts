import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Paths that could carry a secret or personal data are removed before a line is written:
 * the product that scans logs for PII must pass its own scan.
 */
export function createLogger(props: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: props.level ?? 'info',
      base: { service: 'tenet' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'headers.authorization',
          'authorization',
          'token',
          'apiKey',
          'key',
          'secret',
          'password',
          'context',
          'attrs',
          '*.token',
          '*.secret',
          '*.password',
        ],
        remove: true,
      },
    },
    props.destination,
  );
}
