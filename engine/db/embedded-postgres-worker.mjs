// Runs PGlite and its socket server on a worker thread, so the database's CPU work (PGlite is PostgreSQL compiled
// to WebAssembly) never blocks the main event loop that answers authorization requests.
// Plain JavaScript on purpose: worker threads do not inherit the TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

try {
  const db = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  parentPort.postMessage({ type: 'ready', conn: server.getServerConn() });
  parentPort.on('message', async (msg) => {
    if (msg?.type !== 'stop') return;
    try {
      await server.stop();
      await db.close();
      parentPort.postMessage({ type: 'stopped' });
    } catch (error) {
      parentPort.postMessage({ type: 'stopped', error: String(error?.message ?? error) });
    }
  });
} catch (error) {
  parentPort.postMessage({ type: 'error', error: String(error?.message ?? error) });
}
