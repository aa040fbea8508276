import { spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { openDatabase } from './database.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

// The embedded database itself is under test here, so this suite always uses it, whatever DATABASE_URL says.

const root = mkdtempSync(path.join(tmpdir(), 'tenet-embedded-'));
// World-searchable like a home directory, so that only the data directory's own mode keeps another user out.
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const NOBODY = 65534;

/** Local addresses of the TCP sockets this process is listening on (Linux: its socket fds against /proc/net/tcp*). */
function tcpListeners(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // the fd closed while we looked
    }
  }
  const out: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(table)) continue;
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // st 0A = LISTEN; column 9 is the socket's inode
      if (cols[3] === '0A' && inodes.has(cols[9])) out.push(cols[1]);
    }
  }
  return out.sort();
}

/** Tries to open a session on the socket in `dir` as another local user (uid 65534); resolves with what happened. */
function connectAsNobody(dir: string): Promise<string> {
  const pgPath = createRequire(import.meta.url).resolve('pg');
  const code = `
    const pg = require(${JSON.stringify(pgPath)});
    const c = new pg.Client({ host: ${JSON.stringify(dir)}, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 5000 });
    c.connect().then(
      () => c.query("select count(*) from install_secrets").then((r) => { console.log('READ ' + r.rows[0].count); process.exit(0); }, (e) => { console.log('CONNECTED ' + e.message); process.exit(0); }),
      (e) => { console.log('REFUSED ' + (e.code || e.message)); process.exit(0); });`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', code], { uid: NOBODY, gid: NOBODY, cwd: '/', stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', () => resolve(out.trim()));
  });
}

// Starting PGlite and migrating takes seconds alone and over a minute on a loaded 2-core machine.
const START = { timeout: 240_000 };

describe('embedded PostgreSQL is reachable by Tenet alone', () => {
  it(
    'serves a data directory on a Unix socket inside it (mode 0700), opens no TCP port, refuses another user, and starts over what a crash left',
    START,
    async () => {
      const dataDir = path.join(root, 'data');
      // As `mkdir` with the usual umask leaves it: readable by everyone.
      mkdirSync(dataDir, { mode: 0o755 });
      chmodSync(dataDir, 0o755);
      // What a process that crashed leaves behind: its lock and its socket file.
      writeFileSync(path.join(dataDir, 'tenet.lock'), '999999999');
      writeFileSync(path.join(dataDir, '.s.PGSQL.5432'), '');
      const before = tcpListeners();
      const h = await openDatabase({ dataDir });
      try {
        // Tenet itself works through the socket: migrated, the secrets table there.
        const r = await sql<{ n: string }>`select count(*) as n from install_secrets`.execute(h.db);
        expect(Number(r.rows[0].n)).toBeGreaterThanOrEqual(0);
        expect(tcpListeners(), 'a TCP listener was opened for the embedded database').toEqual(before);
        expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
        const socket = lstatSync(path.join(dataDir, '.s.PGSQL.5432'));
        expect(socket.isSocket()).toBe(true);
        expect((socket.mode & 0o777).toString(8)).toBe('600');
        if (isRoot) {
          // root passes every permission check, so the "other local process" is a child running as nobody.
          const answer = await connectAsNobody(dataDir);
          expect(answer).toMatch(/^REFUSED EACCES/);
        }
      } finally {
        await h.close();
      }
      expect(existsSync(path.join(dataDir, '.s.PGSQL.5432')), 'the socket is removed on stop').toBe(false);
    },
  );

  it('an in-memory database gets a private socket directory of its own, removed on stop', START, async () => {
    const before = tcpListeners();
    const e = await startEmbeddedPostgres({});
    try {
      const client = new pg.Client({ connectionString: e.url });
      await client.connect();
      expect((await client.query('select 1 as one')).rows[0].one).toBe(1);
      await client.end();
      expect(tcpListeners()).toEqual(before);
      expect(path.dirname(e.socketDir)).toBe(path.resolve(tmpdir()));
      expect((statSync(e.socketDir).mode & 0o777).toString(8)).toBe('700');
      expect(lstatSync(path.join(e.socketDir, '.s.PGSQL.5432')).isSocket()).toBe(true);
      if (isRoot) expect(await connectAsNobody(e.socketDir)).toMatch(/^REFUSED EACCES/);
    } finally {
      await e.stop();
    }
    expect(existsSync(e.socketDir)).toBe(false);
  });

  it('a data directory whose path is too long for a socket still works, through a private temporary directory', START, async () => {
    const deep = path.join(root, 'a'.repeat(60), 'b'.repeat(60));
    const h = await openDatabase({ dataDir: deep, migrate: false });
    try {
      expect((await sql<{ one: number }>`select 1 as one`.execute(h.db)).rows[0].one).toBe(1);
      expect(existsSync(path.join(deep, '.s.PGSQL.5432'))).toBe(false);
      expect((statSync(deep).mode & 0o777).toString(8)).toBe('700');
    } finally {
      await h.close();
    }
  });

  it('refuses a data directory that belongs to another user', async () => {
    // As root, a directory handed to nobody; as anyone else, one that root owns.
    const dataDir = isRoot ? path.join(root, 'theirs') : tmpdir();
    if (isRoot) {
      mkdirSync(dataDir, { mode: 0o755 });
      chownSync(dataDir, NOBODY, NOBODY);
    }
    expect(statSync(dataDir).uid).not.toBe(process.getuid!());
    await expect(openDatabase({ dataDir, migrate: false })).rejects.toThrow(/belongs to another user/);
    if (isRoot) expect((statSync(dataDir).mode & 0o777).toString(8), 'left as it was').toBe('755');
  });
});
