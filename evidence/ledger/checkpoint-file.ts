import { mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CheckpointSink, SignedCheckpoint } from './checkpoints.ts';

/**
 * The checkpoint log in the data directory: one signed checkpoint per line (JSON), only ever appended, fsynced before
 * `append` returns. It sits on the Tenet host, not in the database, so a database superuser cannot touch it; the
 * host's own administrator can, which is what the S3 Object Lock copy is for.
 */
export class FileCheckpointLog implements CheckpointSink {
  readonly name: string;
  private last: number | undefined | null = null;

  constructor(private readonly file: string) {
    this.name = `checkpoint file ${file}`;
  }

  async lastSeq(): Promise<number | undefined> {
    if (this.last !== null) return this.last;
    const { checkpoints } = await this.readAll();
    this.last = checkpoints.length ? Math.max(...checkpoints.map((c) => c.statement.seq)) : undefined;
    return this.last;
  }

  async append(checkpoints: SignedCheckpoint[]): Promise<void> {
    if (!checkpoints.length) return;
    await mkdir(path.dirname(this.file), { recursive: true });
    const fh = await open(this.file, 'a', 0o640);
    try {
      await fh.writeFile(checkpoints.map((c) => JSON.stringify(c) + '\n').join(''));
      await fh.datasync();
    } finally {
      await fh.close();
    }
    this.last = checkpoints.at(-1)!.statement.seq;
  }

  async readAll(): Promise<{ checkpoints: SignedCheckpoint[]; problems: string[] }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoints: [], problems: [] };
      throw error;
    }
    return parseCheckpointLines(text, this.name);
  }
}

/** Parses a checkpoint log (JSON lines); a line that is not a checkpoint is a problem, named by its number. */
export function parseCheckpointLines(text: string, where: string): { checkpoints: SignedCheckpoint[]; problems: string[] } {
  const checkpoints: SignedCheckpoint[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const c = JSON.parse(line) as SignedCheckpoint;
      if (
        !c ||
        typeof c !== 'object' ||
        !c.statement ||
        typeof c.statement.seq !== 'number' ||
        typeof c.keyId !== 'string' ||
        typeof c.signature !== 'string' ||
        typeof c.digest !== 'string'
      )
        throw new Error('not a checkpoint');
      checkpoints.push(c);
    } catch {
      problems.push(`${where}: line ${i + 1} is not a signed checkpoint`);
    }
  });
  return { checkpoints, problems };
}
