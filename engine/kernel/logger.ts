import pino, { type Logger } from 'pino';

export type { Logger };

/** `json`: one JSON object a line (for a log pipeline); `pretty`: one readable line (for a person at a terminal). */
type LogFormat = 'json' | 'pretty';

/**
 * Structured logs. Paths that could carry a secret or personal data are removed before a line is written:
 * the product that scans logs for PII must pass its own scan. The `pretty` format only re-lays the line pino has
 * already written (and redacted), so both formats carry the same fields.
 *
 * `format` defaults to `pretty` when the logs go to a terminal (no `destination`, standard output a TTY), else
 * `json`; LOG_FORMAT (config) overrides it.
 */
export function createLogger(
  props: {
    level?: string;
    destination?: pino.DestinationStream;
    format?: LogFormat;
    /** Called for every line logged (at an enabled level): lets a caller wait for start-up's lines to settle. */
    onLine?: () => void;
  } = {},
): Logger {
  const onLine = props.onLine;
  const format = props.format ?? (props.destination === undefined && process.stdout.isTTY ? 'pretty' : 'json');
  const destination = format === 'pretty' ? prettyStream(props.destination ?? process.stdout, !props.destination && colourful()) : props.destination;
  return pino(
    {
      level: props.level ?? 'info',
      ...(onLine
        ? {
            hooks: {
              logMethod(args, method) {
                onLine();
                method.apply(this, args);
              },
            },
          }
        : {}),
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
    destination,
  );
}

const colourful = () => process.stdout.isTTY === true && !process.env.NO_COLOR;

const LEVELS: Record<number, [string, string]> = {
  10: ['TRACE', '\x1b[90m'],
  20: ['DEBUG', '\x1b[90m'],
  30: ['INFO', '\x1b[32m'],
  40: ['WARN', '\x1b[33m'],
  50: ['ERROR', '\x1b[31m'],
  60: ['FATAL', '\x1b[35m'],
};
/** Fields every line has: shown in the line's head (time, level, message) or not at all (the service name). */
const HEAD = new Set(['time', 'level', 'msg', 'service']);

/** One pino JSON line as `12:03:04.567 INFO  message key=value …` (a line that is not JSON passes unchanged). */
function prettyLine(json: string, colour = false): string {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return `${json}\n`;
  }
  const [name, ansi] = LEVELS[o.level as number] ?? [String(o.level).toUpperCase(), ''];
  const time = typeof o.time === 'string' ? o.time.slice(11, 23) : '';
  const level = colour ? `${ansi}${name.padEnd(5)}\x1b[0m` : name.padEnd(5);
  const fields: string[] = [];
  let stack = '';
  for (const [k, v] of Object.entries(o)) {
    if (HEAD.has(k) || v === undefined) continue;
    if (k === 'err' && v && typeof v === 'object' && typeof (v as { stack?: unknown }).stack === 'string') {
      const { stack: s, ...rest } = v as { stack: string };
      stack = `\n    ${s.split('\n').join('\n    ')}`;
      fields.push(`err=${JSON.stringify(rest)}`);
      continue;
    }
    fields.push(`${k}=${typeof v === 'string' && /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v)}`);
  }
  return `${time} ${level} ${typeof o.msg === 'string' ? o.msg : ''}${fields.length ? `  ${fields.join(' ')}` : ''}${stack}\n`;
}

function prettyStream(out: { write(chunk: string): unknown }, colour: boolean): pino.DestinationStream {
  return {
    write(chunk: string) {
      // pino writes one line per call, ending in a newline.
      out.write(prettyLine(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk, colour));
    },
  };
}
