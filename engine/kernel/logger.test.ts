import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './logger.ts';

function capture() {
  const lines: string[] = [];
  return { lines, destination: { write: (s: string) => void lines.push(s) } };
}
const secrets = { authorization: 'Bearer tnt_secret_value', token: 'tok-123', context: { phone: '+91 98765 43210' }, who: { password: 'pw-456' } };

afterEach(() => vi.restoreAllMocks());

describe('createLogger', () => {
  it('json: one JSON object a line, with the secret and personal paths removed', () => {
    const { lines, destination } = capture();
    createLogger({ destination }).info({ ...secrets, route: '/v1/authorize' }, 'hello');
    expect(lines).toHaveLength(1);
    const o = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(o).toMatchObject({ level: 30, msg: 'hello', service: 'tenet', route: '/v1/authorize', who: {} });
    expect(lines[0]).not.toMatch(/tnt_secret_value|tok-123|98765|pw-456/);
  });

  it('pretty: one readable line with the same fields, redacted the same way', () => {
    const { lines, destination } = capture();
    const logger = createLogger({ destination, format: 'pretty' });
    logger.info({ ...secrets, route: '/v1/authorize', url: 'http://127.0.0.1:8080', n: 3, note: 'two words' }, 'tenet listening');
    logger.warn('careful');
    const err = new Error('boom');
    logger.error({ err: { message: err.message, stack: err.stack } }, 'failed');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}tenet listening {2}\S/);
    expect(lines[0].endsWith('\n')).toBe(true);
    for (const field of ['route=/v1/authorize', 'who={}', 'url=http://127.0.0.1:8080', 'n=3', 'note="two words"']) expect(lines[0]).toContain(` ${field}`);
    expect(lines[0]).not.toMatch(/tnt_secret_value|tok-123|98765|pw-456|\{"|service/);
    expect(lines[1]).toMatch(/^\S+ WARN {2}careful\n$/);
    expect(lines[2]).toMatch(/^\S+ ERROR failed {2}err=\{.*"message":"boom"\}\n {4}Error: boom\n +at /);
    expect(lines.join('')).not.toContain('\x1b[');
  });

  it('without a format or destination: pretty on a terminal, JSON when standard output is not one', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    const was = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
    try {
      Object.defineProperty(process.stdout, 'isTTY', { value: true, configurable: true });
      vi.stubEnv('NO_COLOR', '1');
      createLogger().info('on a terminal');
      expect(written.join('')).toMatch(/^\S+ INFO {2}on a terminal\n$/);
      expect(createLogger({ format: 'json', destination: capture().destination })).toBeDefined();
    } finally {
      vi.unstubAllEnvs();
      if (was) Object.defineProperty(process.stdout, 'isTTY', was);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
    expect(process.stdout.isTTY).not.toBe(true);
    const { lines, destination } = capture();
    createLogger({ destination }).info('piped');
    expect(JSON.parse(lines[0])).toMatchObject({ msg: 'piped' });
  });
});
