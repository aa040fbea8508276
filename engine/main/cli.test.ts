import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from './cli.ts';

const bin = fileURLToPath(new URL('../bin/tenet.mjs', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-help-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs main() in this process, capturing what it prints. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('tenet --help', () => {
  it('lists the commands and exits 0', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Usage: tenet <command>/);
    expect(r.out).toContain('migrate');
  });

  it('every listed command answers --help and -h with its usage and exit 0, and does nothing else', async () => {
    const top = (await run(['--help'])).out;
    const names = [...new Set([...top.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)].map((m) => m[1]))];
    expect(names).toEqual(
      expect.arrayContaining([
        'serve',
        'migrate',
        'policy',
        'authorize',
        'check',
        'scan-logs',
        'pack',
        'verify',
        'evidence',
        'cedar-test',
        'import-scan',
        'openapi',
      ]),
    );
    // A configuration that would fail if anything read it: help must not get that far.
    vi.stubEnv('DATABASE_URL', 'postgres://nobody@127.0.0.1:1/nowhere');
    vi.stubEnv('TENET_DATA_DIR', dataDir);
    vi.stubEnv('PORT', 'not a port');
    try {
      for (const name of names) {
        for (const flag of ['--help', '-h']) {
          const r = await run([name, flag]);
          expect({ name, flag, code: r.code, err: r.err }).toEqual({ name, flag, code: 0, err: '' });
          expect(r.out).toMatch(new RegExp(`^Usage: tenet ${name}\\b`));
        }
      }
      // After other arguments and for a subcommand too, and `tenet help <command>`.
      expect((await run(['migrate', '--port', '1', '--help'])).out).toMatch(/^Usage: tenet migrate/);
      expect((await run(['evidence', 'rotate-key', '--help'])).out).toMatch(/^Usage: tenet evidence/);
      expect(await run(['help', 'pack'])).toMatchObject({ code: 0, out: expect.stringMatching(/^Usage: tenet pack/) });
    } finally {
      vi.unstubAllEnvs();
    }
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('an unknown option is an error for every command, before anything is read or written', async () => {
    const names = [...new Set([...(await run(['--help'])).out.matchAll(/^ {2}([a-z][a-z-]+)\b/gm)].map((m) => m[1]))];
    vi.stubEnv('DATABASE_URL', 'postgres://nobody@127.0.0.1:1/nowhere');
    vi.stubEnv('TENET_DATA_DIR', dataDir);
    try {
      for (const name of names) {
        const r = await run([name, '--no-such-option']);
        expect({ name, code: r.code }).toEqual({ name, code: 2 });
      }
    } finally {
      vi.unstubAllEnvs();
    }
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('`--` ends the options', async () => {
    const r = await run(['cedar-test', '--', '--help']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--help/);
  });

  it('`tenet migrate --help` as a process exits 0 at once with a database that is not there', () => {
    const started = Date.now();
    const r = spawnSync(process.execPath, [bin, 'migrate', '--help'], {
      env: { ...process.env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nowhere', TENET_DATA_DIR: dataDir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^Usage: tenet migrate/);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
