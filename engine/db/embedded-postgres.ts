import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';

export interface EmbeddedPostgres {
  /** A connection string for `pg` on loopback. */
  url: string;
  dataDir: string | undefined;
  stop(): Promise<void>;
}

export class DataDirInUseError extends Error {
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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PostgreSQL in-process (PGlite, on its own worker thread), served to `pg` over a loopback socket so the rest of
 * Tenet has one code path for embedded and server databases. PGlite is one session: the pool in front of it must hold ONE connection,
 * because the socket server interleaves protocol messages of concurrent connections (see database.ts).
 * A data directory belongs to one process at a time; a lock file says which.
 */
export async function startEmbeddedPostgres(props: { dataDir?: string }): Promise<EmbeddedPostgres> {
  const dataDir = props.dataDir ? path.resolve(props.dataDir) : undefined;
  let lockFile: string | undefined;
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    lockFile = path.join(dataDir, 'tenet.lock');
    const held = await readFile(lockFile, 'utf8').catch(() => undefined);
    if (held) {
      const pid = Number.parseInt(held, 10);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) throw new DataDirInUseError(dataDir, pid);
    }
    await writeFile(lockFile, String(process.pid));
  }
  const worker = new Worker(new URL('./embedded-postgres-worker.mjs', import.meta.url), {
    workerData: { dataDir: dataDir ? path.join(dataDir, 'pg') : undefined },
  });
  const [first] = (await once(worker, 'message')) as [{ type: string; conn?: string; error?: string }];
  if (first.type !== 'ready' || !first.conn) {
    await worker.terminate();
    if (lockFile) await rm(lockFile, { force: true });
    throw new Error(`embedded PostgreSQL did not start: ${first.error ?? 'no answer from its worker'}`);
  }
  const [host, port] = first.conn.split(':');
  let stopped = false;
  return {
    url: `postgres://postgres@${host}:${port}/postgres`,
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
      if (lockFile) await rm(lockFile, { force: true });
    },
  };
}
