import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';

// `npm start` prints the demo's keys and a first curl for the person at the terminal: after start-up's log lines,
// not lost among them. Piped, the log lines are JSON (a terminal gets readable ones: engine/kernel/logger.ts).
const bin = fileURLToPath(new URL('../../engine/bin/tenet.mjs', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-banner-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('the demo banner comes after the start-up log lines, in one piece; piped logs are JSON', async () => {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), TENET_DATA_DIR: dataDir, LOG_LEVEL: 'info', PORT: '0' };
  // The embedded database of its own data directory: the demo data must not land in a shared test database.
  delete env.DATABASE_URL;
  delete env.LOG_FORMAT;
  const child = spawn(process.execPath, [bin, 'serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no banner in time')), 90_000);
    void exited.then((code) => reject(new Error(`tenet exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (/-d '\{"principal".*\n/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  // What start-up still had to say would have come by now.
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);

  const lines = out.split('\n');
  const first = lines.findIndex((l) => l.startsWith('Tenet demo is running at http://'));
  const last = lines.findIndex((l) => l.includes(`-d '{"principal"`));
  expect(first).toBeGreaterThan(0);
  expect(last).toBeGreaterThan(first);
  const banner = lines.slice(first, last + 1);
  expect(banner.filter((l) => l.startsWith('{'))).toEqual([]);
  expect(banner.join('\n')).toMatch(/Demo API keys[^\n]*\n {2}admin {13}tnt_demo_admin_/);

  const logged = (from: number, to: number) =>
    lines
      .slice(from, to)
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l) as { msg: string; trigger?: string });
  const before = logged(0, first);
  const after = logged(last + 1, lines.length);
  expect(before.map((l) => l.msg)).toEqual(expect.arrayContaining(['policy set activated', 'control scheduler started', 'tenet listening']));
  // Each control run says what started it: the demo's start-up runs them all once.
  const runs = [...before, ...after].filter((l) => l.msg === 'control run');
  expect(runs.map((l) => l.trigger)).toContain('startup');
  expect(runs.filter((l) => l.trigger !== 'startup' && l.trigger !== 'schedule')).toEqual([]);
  // After the banner, only the shutdown, and a scheduled run if a cron tick (each minute's start) fell in the wait:
  // that is the running product, not start-up.
  const notScheduled = after.filter((l) => !(l.msg === 'control run' && l.trigger === 'schedule'));
  expect(notScheduled.map((l) => l.msg)).toEqual(['shutting down', 'tenet stopped']);
}, 120_000);
