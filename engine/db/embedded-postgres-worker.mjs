// Runs PGlite and its socket server on a worker thread, so the database's CPU work (PGlite is PostgreSQL compiled
// to WebAssembly) never blocks the main event loop that answers authorization requests.
// Plain JavaScript on purpose: worker threads do not inherit the TypeScript loader.
import { chmod, rm } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

try {
  const db = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
  // PGlite lets any user and password in, so the socket is the only lock: a Unix socket in a 0700 directory
  // (checked by the caller), never a TCP port. A socket left by a process that crashed is removed first: the
  // caller's lock file guarantees no live process is serving it.
  await rm(workerData.socketPath, { force: true });
  const server = new PGLiteSocketServer({ db, path: workerData.socketPath, maxConnections: 4 });
  await server.start();
  // The directory already keeps others out; the socket's own mode does too, should the directory ever be opened.
  await chmod(workerData.socketPath, 0o600);
  parentPort.postMessage({ type: 'ready', conn: server.getServerConn() });
  parentPort.on('message', async (msg) => {
    if (msg?.type !== 'stop') return;
    try {
      await server.stop();
      await db.close();
      await rm(workerData.socketPath, { force: true });
      parentPort.postMessage({ type: 'stopped' });
    } catch (error) {
      parentPort.postMessage({ type: 'stopped', error: String(error?.message ?? error) });
    }
  });
} catch (error) {
  parentPort.postMessage({ type: 'error', error: String(error?.message ?? error) });
}
