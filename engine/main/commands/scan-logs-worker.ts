/**
 * A `tenet scan-logs` worker thread: a scanner of its own (keyed by the secret it was started with), scanning the
 * chunks it is sent and posting each result back with the chunk's sequence number.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createScanner } from '../../scanner/scanner.ts';
import { scanChunk, type ChunkJob, type ChunkOptions } from './scan-logs-chunk.ts';

const { secret, options } = workerData as { secret: string; options: ChunkOptions };
const scanner = createScanner({ secret });
parentPort!.on('message', (job: ChunkJob & { seq: number }) => {
  try {
    parentPort!.postMessage({ seq: job.seq, result: scanChunk(scanner, job, options) });
  } catch (error) {
    parentPort!.postMessage({ seq: job.seq, error: (error as Error).message });
  }
});
