import cluster, { type Worker } from 'node:cluster';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import type { Config } from '../../kernel/config.ts';
import { createLogger } from '../../kernel/logger.ts';

/**
 * Each worker's decision journal: the first keeps the directory one process would use (so a move from one process
 * to several ships what it left), the others a directory of their own next to it.
 */
export function workerJournalDir(config: Config, index: number): string {
  const base = config.TENET_JOURNAL_DIR ?? path.join(config.TENET_DATA_DIR, 'decision-journal');
  return index === 1 ? base : `${base}-worker-${index}`;
}

/** Journal directories of workers above `workers` that still hold segments: decisions a smaller start would strand. */
async function strandedJournals(config: Config, workers: number): Promise<string[]> {
  const base = workerJournalDir(config, 1);
  const parent = path.dirname(base);
  const prefix = `${path.basename(base)}-worker-`;
  const names = await readdir(parent).catch(() => [] as string[]);
  const stranded: string[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || Number(name.slice(prefix.length)) <= workers) continue;
    const files = await readdir(path.join(parent, name)).catch(() => [] as string[]);
    if (files.some((f) => f !== 'journal.lock')) stranded.push(path.join(parent, name));
  }
  return stranded;
}

/**
 * `tenet serve --workers N`: N processes on one port (node:cluster), each a full replica of its own (entities and
 * policies in memory, its decision journal, a seat in the scheduler); what they share lives in PostgreSQL. Started
 * one after another (the first migrates and, with --demo, loads the demo data). A worker that dies is started
 * again; one that dies before it listens stops them all (a bad setting would only die again). SIGTERM or SIGINT
 * stops every worker the way one process stops, and a worker whose primary is killed stops itself.
 */
export async function superviseWorkers(props: { config: Config; workers: number; port?: number }): Promise<number> {
  const { config, workers } = props;
  // Port 0 would give each worker a port of its own: one free port is chosen here for all of them.
  let port = props.port ?? config.PORT;
  if (port === 0) {
    const probe = net.createServer().listen(0, config.HOST);
    await once(probe, 'listening');
    port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
  }
  const logger = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });
  const stranded = await strandedJournals(config, workers);
  if (stranded.length) {
    throw new Error(
      `Decision journals of workers beyond ${workers} still hold decisions (${stranded.join(', ')}): start with as many workers as before once, so they ship, then with fewer.`,
    );
  }
  let stopping = false;
  let failed = false;
  const running = new Map<number, Worker>();
  const start = async (index: number): Promise<boolean> => {
    const worker = cluster.fork({ TENET_WORKER_INDEX: String(index), TENET_WORKER_PORT: String(port), TENET_JOURNAL_DIR: workerJournalDir(config, index) });
    running.set(index, worker);
    const listening = once(worker, 'listening').then(() => true);
    const exited = once(worker, 'exit').then(() => false);
    const up = await Promise.race([listening, exited]);
    worker.on('exit', (code, signal) => {
      if (running.get(index) === worker) running.delete(index);
      if (stopping) return;
      logger.error({ worker: index, code, signal }, 'a worker stopped; starting it again');
      setTimeout(() => {
        start(index)
          .then((up) => up || logger.error({ worker: index }, 'a restarted worker stopped before it listened; it is not started again'))
          .catch(() => {});
      }, 1_000).unref();
    });
    return up;
  };
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal, workers: running.size }, 'stopping the workers');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  for (let i = 1; i <= workers && !stopping; i++) {
    if (!(await start(i))) {
      logger.error({ worker: i }, 'a worker stopped before it listened: stopping the others');
      failed = true;
      stopping = true;
      break;
    }
  }
  if (!stopping) logger.info({ workers }, 'tenet workers listening');
  if (!failed) await stopped;
  // Clean: a worker that stopped with 0, or one still starting that the signal ended before it could take it.
  const exits = [...running.values()].map(async (w) => {
    if (w.isDead()) return w.process.exitCode === 0;
    const exit = once(w, 'exit');
    w.process.kill('SIGTERM');
    const [code, signal] = (await exit) as [number | null, string | null];
    return code === 0 || signal === 'SIGTERM';
  });
  const clean = await Promise.all(exits);
  return failed || clean.includes(false) ? 1 : 0;
}
