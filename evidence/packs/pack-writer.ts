import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { Zip, ZipDeflate } from 'fflate';
import type { Scanner } from '../../engine/scanner/types.ts';

export class PackRefusedError extends Error {}

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Writes a pack ZIP as a stream: each member is scanned for PII, hashed and deflated chunk by chunk, so memory does
 * not grow with the pack. A member with raw PII or a secret refuses the whole pack (PackRefusedError naming the
 * file and the detector); the caller discards the partial output.
 */
export class PackWriter {
  readonly files: ManifestFile[] = [];
  private readonly zip: Zip;
  private drained: Promise<unknown> | undefined;
  private failed: Error | undefined;
  private aborted = false;
  private readonly done: Promise<void>;
  private readonly mtime = new Date();

  constructor(
    private readonly out: Writable,
    private readonly scanner: Scanner,
  ) {
    let resolveDone!: () => void;
    let rejectDone!: (e: Error) => void;
    this.done = new Promise<void>((resolve, reject) => {
      resolveDone = resolve;
      rejectDone = reject;
    });
    this.done.catch(() => {});
    this.zip = new Zip((err, data, final) => {
      if (this.aborted) return;
      if (err) {
        this.failed = err;
        rejectDone(err);
        return;
      }
      if (!this.out.write(data)) this.drained ??= once(this.out, 'drain').finally(() => (this.drained = undefined));
      if (final) this.out.end(() => resolveDone());
    });
  }

  /** Adds a member from text chunks; each chunk should end at a line boundary so values are not split. */
  async add(
    path: string,
    chunks: Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>,
    options: { scanText?: boolean } = {},
  ): Promise<ManifestFile> {
    if (this.failed) throw this.failed;
    // One modification time for every member, given rather than read from the clock: fflate stamps the local header
    // when a member starts and the central directory when the pack ends, and the verifier holds the two equal.
    const file = new ZipDeflate(path, { level: 6 });
    file.mtime = this.mtime;
    this.zip.add(file);
    const hash = createHash('sha256');
    let size = 0;
    let line = 1;
    let pending: Uint8Array | undefined;
    const push = async (bytes: Uint8Array, final: boolean) => {
      file.push(bytes, final);
      if (this.drained) await this.drained;
    };
    for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      if (options.scanText !== false && typeof chunk === 'string') {
        const found = this.scanner.scan(chunk, { firstLine: line });
        if (found.length) {
          const f = found[0];
          throw new PackRefusedError(`${path} holds raw ${f.detector} (line ${f.line}, column ${f.column}, ${f.masked}); the pack was not written`);
        }
        for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) line++;
      }
      hash.update(bytes);
      size += bytes.length;
      if (pending) await push(pending, false);
      pending = bytes;
    }
    await push(pending ?? new Uint8Array(0), true);
    const entry = { path, sha256: hash.digest('hex'), size };
    this.files.push(entry);
    return entry;
  }

  /** Adds a member whose bytes are not text (the PDF): its text content must have been scanned by the caller. */
  addBinary(path: string, bytes: Uint8Array): Promise<ManifestFile> {
    return this.add(path, [bytes], { scanText: false });
  }

  async finish(): Promise<void> {
    this.zip.end();
    await this.done;
  }

  abort(): void {
    this.aborted = true;
    this.zip.terminate();
    // Writes already queued fail once the stream is destroyed; the pack is being discarded, so that is expected.
    this.out.on('error', () => {});
    this.out.destroy();
  }
}
