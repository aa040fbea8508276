import cluster from 'node:cluster';
import { parse } from './args.ts';
import type { Config } from '../../kernel/config.ts';
import { startEmbeddedPostgres } from '../../db/embedded-postgres.ts';

export async function serve(args: string[], ctx: { config: () => Config }): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, demo: { type: 'boolean' }, workers: { type: 'string' } });
  const config = ctx.config();
  let port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new Error('--port must be a port number');
  const workers = values.workers === undefined ? config.TENET_WORKERS : Number(values.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new Error('--workers must be a whole number from 1 to 64');
  if (workers > 1 && !config.DATABASE_URL) {
    throw new Error(
      `--workers ${workers} needs a PostgreSQL server (DATABASE_URL): each worker is a replica, and an embedded database has one owner. Without a server, run one process.`,
    );
  }
  if (workers > 1 && cluster.isPrimary) return (await import('./serve-workers.ts')).superviseWorkers({ config, workers, port });
  // A worker: the first loads the demo data and prints the banner; the port and its own decision journal come from
  // the primary.
  const demo = values.demo && (cluster.isPrimary || process.env.TENET_WORKER_INDEX === '1');
  if (cluster.isWorker && process.env.TENET_WORKER_PORT) port = Number(process.env.TENET_WORKER_PORT);
  // The embedded database first: it starts in a worker thread and takes most of start-up, so everything else (the
  // server's modules, a first reading of the policies) happens on this thread while it starts.
  const embedded = config.DATABASE_URL ? undefined : startEmbeddedPostgres({ dataDir: config.TENET_DATA_DIR });
  embedded?.catch(() => {}); // awaited by openDatabase below, which reports a failure
  const [{ createLogger }, { openDatabase }, { startTenet }, { readShippedPolicySetsAhead }, { SHIPPED_POLICY_DIR }] = await Promise.all([
    import('../../kernel/logger.ts'),
    import('../../db/database.ts'),
    import('../server.ts'),
    import('../../authz/policy-store.ts'),
    import('../../kernel/version.ts'),
  ]);
  let lastLine = performance.now();
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT, onLine: () => (lastLine = performance.now()) });
  const opening = openDatabase({ databaseUrl: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, logger, embedded });
  opening.catch(() => {}); // awaited below; a failure is reported there, not as an unhandled rejection meanwhile
  await readShippedPolicySetsAhead(config.TENET_POLICY_DIR ?? SHIPPED_POLICY_DIR);
  const database = await opening;
  const tenet = await startTenet({ config, logger, demo, port, database }).catch(async (error: unknown) => {
    await database.close().catch(() => {});
    throw error;
  });
  let stopping = false;
  // Listening from here on: a stop signal while the banner waits is a clean shutdown, not a kill.
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    // A worker whose primary is gone (killed) stops too, as on SIGTERM: nothing would restart or stop it.
    if (cluster.isWorker) process.once('disconnect', () => stop('primary gone'));
  });
  if (tenet.demoKeys) {
    // After start-up's log lines, not among them: start-up work still logging (the first control runs, the
    // exception expiry check) gets until the log has been quiet for a moment, then what pino holds is written.
    await Promise.race([quiet(() => lastLine, 300, 3_000), stopped]);
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  }
  if (tenet.demoKeys && !stopping) {
    // Printed to the terminal for the person who started the demo; never logged.
    process.stdout.write(
      `\nTenet demo is running at ${tenet.url}\n` +
        (tenet.console
          ? `Console: open ${tenet.url}/ and sign in as a demo user (administrator, security officer or auditor).\n`
          : `Console: not built (run npm run console:build); the API works without it.\n`) +
        `Demo API keys (one per Tenet role; kept in ${config.TENET_DATA_DIR}/demo-keys.json):\n` +
        Object.entries(tenet.demoKeys)
          .map(([role, key]) => `  ${role.padEnd(17)} ${key}`)
          .join('\n') +
        `\n\nTry:\n  curl -s ${tenet.url}/v1/authorize -H "Authorization: Bearer ${tenet.demoKeys.service}" -H 'content-type: application/json' \\\n` +
        `    -d '{"principal":{"type":"User","id":"asha"},"action":{"id":"read"},"resource":{"type":"Order","id":"o-1001"}}'\n\n`,
    );
  }
  await stopped;
  await tenet.close();
  await database.close();
  // A worker's channel to its primary would keep it alive: closing it lets the process end as one process does.
  if (cluster.isWorker && cluster.worker?.isConnected()) cluster.worker.disconnect();
  return 0;
}

/** Resolves once `lastAt()` (a performance.now() time) is `quietMs` in the past, or after `maxMs` at most. */
async function quiet(lastAt: () => number, quietMs: number, maxMs: number): Promise<void> {
  const until = performance.now() + maxMs;
  for (let now = performance.now(); now < until && now - lastAt() < quietMs; now = performance.now()) {
    await new Promise((resolve) => setTimeout(resolve, Math.min(quietMs - (now - lastAt()), until - now) + 1));
  }
}
