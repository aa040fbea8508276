import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  /** A connection string for `pg`: the Unix socket in a directory only this user can enter (no TCP port). */
  url: string;
  /** The directory holding the socket `.s.PGSQL.5432`: the data directory, or a private temporary one. */
  socketDir: string;
  dataDir: string | undefined;
  stop(): Promise<void>;
}

class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `The embedded database in ${dataDir} is held by a running Tenet process (pid ${pid}). ` +
        'Stop it first, or point DATABASE_URL at a PostgreSQL server that both can share.',
    );
    this.name = 'DataDirInUseError';
  }
}

/** Whether a process with this pid exists (a lock file's owner): EPERM means it does, owned by another user. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// The name `pg` (like libpq) looks for inside a socket directory for port 5432.
const SOCKET_NAME = '.s.PGSQL.5432';
// sun_path is 108 bytes on Linux (104 on macOS), NUL included: a longer path cannot be bound.
const MAX_SOCKET_PATH = 103;

/**
 * The data directory holds the database files, the signing key's table and the demo keys: only its owner may enter
 * it. A directory that another user owns (or that cannot be tightened) stops start-up rather than being used open.
 */
async function privateDirectory(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const before = await stat(dir);
  if (!before.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (typeof process.getuid === 'function' && before.uid !== process.getuid()) {
    throw new Error(`The embedded database directory ${dir} belongs to another user (uid ${before.uid}); Tenet keeps its data only in a directory of its own.`);
  }
  if ((before.mode & 0o777) !== 0o700) await chmod(dir, 0o700);
}

/**
 * PostgreSQL in-process (PGlite, on its own worker thread), served to `pg` so the rest of Tenet has one code path for
 * embedded and server databases. PGlite has no authentication at all (any user name, any password is let in), so
 * it is served on a Unix socket inside a directory of mode 0700 — the data directory, or a private temporary one
 * for an in-memory database or a data directory whose path is too long for a socket — never on a TCP port, where
 * any local process could read `install_secrets` or drop the append-only triggers.
 * PGlite is one session: the pool in front of it must hold ONE connection, because the socket server interleaves
 * protocol messages of concurrent connections (see database.ts).
 * A data directory belongs to one process at a time; a lock file says which.
 */
export async function startEmbeddedPostgres(props: { dataDir?: string }): Promise<EmbeddedPostgres> {
  const dataDir = props.dataDir ? path.resolve(props.dataDir) : undefined;
  let lockFile: string | undefined;
  if (dataDir) {
    await privateDirectory(dataDir);
    lockFile = path.join(dataDir, 'tenet.lock');
    const held = await readFile(lockFile, 'utf8').catch(() => undefined);
    if (held) {
      const pid = Number.parseInt(held, 10);
      if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) throw new DataDirInUseError(dataDir, pid);
    }
    await writeFile(lockFile, String(process.pid));
  }
  const fits = dataDir !== undefined && Buffer.byteLength(path.join(dataDir, SOCKET_NAME)) <= MAX_SOCKET_PATH;
  // mkdtemp makes the directory with mode 0700.
  const tempSocketDir = fits ? undefined : await mkdtemp(path.join(tmpdir(), 'tenet-pg-'));
  const socketDir = fits ? dataDir! : tempSocketDir!;
  const cleanUp = async () => {
    if (lockFile) await rm(lockFile, { force: true });
    if (tempSocketDir) await rm(tempSocketDir, { recursive: true, force: true });
  };
  const worker = new Worker(new URL('./embedded-postgres-worker.mjs', import.meta.url), {
    workerData: { dataDir: dataDir ? path.join(dataDir, 'pg') : undefined, socketPath: path.join(socketDir, SOCKET_NAME) },
  });
  const [first] = (await once(worker, 'message')) as [{ type: string; conn?: string; error?: string }];
  if (first.type !== 'ready' || !first.conn) {
    await worker.terminate();
    await cleanUp();
    throw new Error(`embedded PostgreSQL did not start: ${first.error ?? 'no answer from its worker'}`);
  }
  let stopped = false;
  return {
    // pg reads `host=/dir` as the directory of a Unix socket and connects to /dir/.s.PGSQL.5432.
    url: `postgres://postgres@/postgres?host=${encodeURIComponent(socketDir)}`,
    socketDir,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      worker.postMessage({ type: 'stop' });
      // Closing flushes PGlite's data to disk; give it time, then stop the thread regardless.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([once(worker, 'message'), new Promise((r) => (timer = setTimeout(r, 15_000)))]);
      clearTimeout(timer);
      await worker.terminate();
      await cleanUp();
    },
  };
}
