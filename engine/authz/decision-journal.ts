import { crc32 } from 'node:zlib';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../kernel/logger.ts';
import { UnavailableError } from '../kernel/errors.ts';
import type { DecisionRecord } from './decision-record.ts';
import { isProcessAlive } from '../db/embedded-postgres.ts';

/**
 * The decision journal: a local append-only file per replica that makes a decision durable before it is answered.
 *
 * Records are appended in groups (group commit): every record that arrives while one group is being made durable
 * waits for the next group, which is written with one write to a file opened with O_DSYNC (the write returns once
 * the data, and the file size needed to read it back, are on stable storage: write + fdatasync in one call, one
 * trip to the thread pool); each `append` resolves only once its group is on disk. The records are then handed to
 * the decision log's writer, which ships them to PostgreSQL in batches; a segment (a file) is deleted once every
 * record in it is shipped.
 * When the writer's in-memory queue is full (the database is slow or down), records stay on disk only and the
 * writer reads them back from the journal when it has room: the journal, not memory, bounds an outage.
 *
 * On start, segments left by an earlier process (a crash, or a shutdown that could not reach the database) are
 * read back and shipped like any other record; shipping is idempotent by decision id, so a record shipped twice
 * (a crash between the COMMIT and the segment's deletion, or during that replay) is written once.
 *
 * Frame: u32 length, u32 CRC-32 of the payload, payload (the DecisionRecord as JSON), little-endian. A crash can
 * tear only the tail of a segment — writes that never returned, so were never answered —, and reading stops at
 * the first frame whose length or CRC does not hold. A new process never appends to an old segment.
 *
 * Fails closed: when the size bound is reached, or a write fails (ENOSPC, EIO, ...), `append` rejects
 * with a 503 `unavailable` and `healthy` is false (→ /readyz) until the journal has room and can write again.
 */

const MAGIC = Buffer.from('TNTDJ001');
/** The first bytes of every segment file. */
export const SEGMENT_MAGIC: Buffer = MAGIC;
const FRAME_HEADER = 8;
/** No record comes near this (a decision holds uids, reasons and context keys); a larger length is a torn frame. */
const MAX_RECORD = 16 * 1024 * 1024;
const SEGMENT_NAME = /^decisions-([0-9a-f]{16})\.journal$/;

interface Segment {
  id: number;
  file: string;
  /** Bytes in the file that hold whole, durable records (header included). */
  durableEnd: number;
  /** Bytes the segment takes on disk as far as the journal knows (durable end, or the whole file of an old one). */
  size: number;
  /** Durable records in it not yet shipped to PostgreSQL. */
  unshipped: number;
  /** No more records will be appended. */
  sealed: boolean;
  fd?: fsp.FileHandle;
}

interface Pending {
  record: DecisionRecord;
  frame: Buffer;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface JournalEntry {
  record: DecisionRecord;
  segment: number;
}

export class JournalUnavailableError extends UnavailableError {
  constructor(why: string) {
    super(`Decisions are not being answered: the decision journal ${why}. No decision is given out before it is durable; try again.`);
  }
}

export function frame(record: DecisionRecord): Buffer {
  const payload = Buffer.from(JSON.stringify(record), 'utf8');
  const out = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  payload.copy(out, FRAME_HEADER);
  return out;
}

function decode(payload: Buffer): DecisionRecord {
  const r = JSON.parse(payload.toString('utf8')) as DecisionRecord & { at: string };
  return { ...r, at: new Date(r.at) };
}

/**
 * The whole frames in `buf` from `from`: each frame's payload and end offset. Stops at the first frame that is
 * incomplete or fails its check (`torn`: the bytes from there on are not records).
 */
export function readFrames(buf: Buffer, from = 0): { frames: Array<{ payload: Buffer; end: number }>; end: number; torn: boolean } {
  const frames: Array<{ payload: Buffer; end: number }> = [];
  let at = from;
  while (at + FRAME_HEADER <= buf.length) {
    const len = buf.readUInt32LE(at);
    if (len === 0 || len > MAX_RECORD) return { frames, end: at, torn: true };
    if (at + FRAME_HEADER + len > buf.length) return { frames, end: at, torn: true };
    const payload = buf.subarray(at + FRAME_HEADER, at + FRAME_HEADER + len);
    if (crc32(payload) !== buf.readUInt32LE(at + 4)) return { frames, end: at, torn: true };
    at += FRAME_HEADER + len;
    frames.push({ payload, end: at });
  }
  return { frames, end: at, torn: at < buf.length };
}

async function readAt(file: string, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  const fd = await fsp.open(file, 'r');
  let got = 0;
  try {
    while (got < length) {
      const { bytesRead } = await fd.read(buf, got, length - got, offset + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
  } finally {
    await fd.close();
  }
  return buf.subarray(0, got);
}

export const segmentName = (id: number): string => `decisions-${id.toString(16).padStart(16, '0')}.journal`;

export class DecisionJournal {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  private readonly logger: Logger;
  private segments = new Map<number, Segment>();
  private current: Segment | undefined;
  private nextId = 1;
  private pending: Pending[] = [];
  private writing: Promise<void> | undefined;
  private scheduled = false;
  /** Where records not held in the writer's memory start: read back by `readBacklog`. */
  private backlog: { segment: number; offset: number } | undefined;
  private failure: { reason: string; code: string } | undefined;
  private recoveryTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly deleting = new Set<Promise<void>>();
  /** Bytes of every segment on disk. */
  bytes = 0;
  fsyncs = 0;
  /** Records left by an earlier process, found at open. */
  recovered = { segments: 0, records: 0, tornTails: 0 };
  /** The writer: takes a durable record into its in-memory queue while `room()` says it has space. */
  private sink: { accept(entry: JournalEntry): void; room(): number } = { accept: () => {}, room: () => 0 };

  constructor(props: { dir: string; maxBytes: number; segmentBytes?: number; logger: Logger }) {
    this.dir = path.resolve(props.dir);
    this.maxBytes = props.maxBytes;
    this.segmentBytes = props.segmentBytes ?? Math.max(64 * 1024, Math.min(16 * 1024 * 1024, Math.floor(props.maxBytes / 8)));
    this.logger = props.logger;
  }

  connect(sink: { accept(entry: JournalEntry): void; room(): number }): void {
    this.sink = sink;
  }

  /** True while appends are accepted: under the size bound and writing. */
  get healthy(): boolean {
    return !this.failure && !this.closed;
  }

  get status(): { state: 'ok' | 'full' | 'failed' | 'closed'; reason?: string; bytes: number; maxBytes: number } {
    const state = this.closed ? 'closed' : !this.failure ? 'ok' : this.failure.code === 'full' ? 'full' : 'failed';
    return { state, ...(this.failure ? { reason: this.failure.reason } : {}), bytes: this.bytes, maxBytes: this.maxBytes };
  }

  /** Records on disk the writer has not taken into memory yet. */
  get hasBacklog(): boolean {
    return this.backlog !== undefined;
  }

  /** Durable records not yet shipped, in every segment. */
  get unshipped(): number {
    let n = 0;
    for (const s of this.segments.values()) n += s.unshipped;
    return n;
  }

  /**
   * Takes the journal directory (mode 0700, one process at a time), reads the segments an earlier process left
   * (they become the backlog the writer ships first), and opens a new segment.
   */
  async open(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fsp.chmod(this.dir, 0o700);
    const lock = path.join(this.dir, 'journal.lock');
    const held = await fsp.readFile(lock, 'utf8').catch(() => undefined);
    if (held) {
      const pid = Number.parseInt(held, 10);
      if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) {
        throw new Error(`The decision journal in ${this.dir} is held by a running process (pid ${pid}); each replica needs its own (TENET_JOURNAL_DIR).`);
      }
    }
    await fsp.writeFile(lock, String(process.pid), { mode: 0o600 });
    const ids = (await fsp.readdir(this.dir))
      .map((f) => SEGMENT_NAME.exec(f))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number.parseInt(m[1], 16))
      .sort((a, b) => a - b);
    for (const id of ids) {
      const file = path.join(this.dir, segmentName(id));
      const buf = await fsp.readFile(file);
      const valid = buf.length >= MAGIC.length && buf.subarray(0, MAGIC.length).equals(MAGIC);
      const scan = valid ? readFrames(buf, MAGIC.length) : { frames: [], end: 0, torn: buf.length > 0 };
      const segment: Segment = { id, file, durableEnd: scan.end, size: buf.length, unshipped: scan.frames.length, sealed: true };
      this.nextId = Math.max(this.nextId, id + 1);
      if (scan.torn) this.recovered.tornTails++;
      if (segment.unshipped === 0) {
        await fsp.rm(file, { force: true });
        continue;
      }
      this.segments.set(id, segment);
      this.bytes += segment.size;
      this.recovered.segments++;
      this.recovered.records += segment.unshipped;
      this.backlog ??= { segment: id, offset: MAGIC.length };
    }
    if (this.recovered.records) {
      this.logger.warn({ journal: this.dir, ...this.recovered }, 'decision journal: replaying records an earlier process left unshipped');
    }
    this.current = await this.openSegment();
  }

  /** Resolves once the record is durable (its group's O_DSYNC write returned); rejects (503) when the journal cannot take it. */
  append(record: DecisionRecord): Promise<void> {
    if (this.closed) return Promise.reject(new JournalUnavailableError('is closed'));
    if (this.failure) return Promise.reject(new JournalUnavailableError(this.failure.reason));
    const f = frame(record);
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ record, frame: f, resolve, reject });
      this.startWriter();
    });
  }

  /** Starts writing groups unless a writer runs (it takes what is pending when its group is done). */
  private startWriter(): void {
    if (this.writing || this.scheduled) return;
    // Let every record of this turn of the event loop (a whole batch call) join the group.
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.writing || !this.pending.length) return;
      this.writing = this.writeLoop().finally(() => {
        this.writing = undefined;
        if (this.pending.length) this.startWriter();
      });
    });
  }

  private async writeLoop(): Promise<void> {
    while (this.pending.length) {
      const group = this.pending;
      this.pending = [];
      await this.commit(group);
    }
  }

  private async commit(group: Pending[]): Promise<void> {
    const fail = (error: Error) => {
      for (const p of group) p.reject(error);
    };
    if (this.failure) return fail(new JournalUnavailableError(this.failure.reason));
    let length = 0;
    for (const p of group) length += p.frame.length;
    if (this.bytes + length > this.maxBytes) {
      this.setFailure('full', `is full (${Math.round(this.maxBytes / 1024 / 1024)} MB, TENET_JOURNAL_MAX_MB): records wait for the database`);
      return fail(new JournalUnavailableError(this.failure!.reason));
    }
    let segment: Segment | undefined;
    try {
      if (!this.current || this.current.durableEnd >= this.segmentBytes) {
        if (this.current) this.seal(this.current);
        this.current = undefined;
        this.current = await this.openSegment();
      }
      segment = this.current;
      const buf =
        group.length === 1
          ? group[0].frame
          : Buffer.concat(
              group.map((p) => p.frame),
              length,
            );
      const start = segment.durableEnd;
      // Counted before the write: a write that fails half-way still takes its space until the segment goes.
      segment.size = start + length;
      this.bytes += length;
      let written = 0;
      // The segment is open with O_DSYNC: each write returns once its data (and the size needed to read it back)
      // is on stable storage, as write + fdatasync would, in one trip to the thread pool instead of two.
      while (written < length) {
        const { bytesWritten } = await segment.fd!.write(buf, written, length - written, start + written);
        written += bytesWritten;
        this.fsyncs++;
      }
      segment.durableEnd = start + length;
      let offset = start;
      for (const p of group) {
        segment.unshipped++;
        if (!this.backlog && this.sink.room() > 0) this.sink.accept({ record: p.record, segment: segment.id });
        else this.backlog ??= { segment: segment.id, offset };
        offset += p.frame.length;
      }
    } catch (error) {
      const code = String((error as NodeJS.ErrnoException).code ?? 'EIO');
      this.setFailure(code, `cannot write (${code}${code === 'ENOSPC' ? ': the disk is full' : ''})`);
      // The file's state after a failed synchronous write is unknown: this segment takes no more records. What
      // was durable before stays and is shipped; the failed group was never answered.
      if (segment && !segment.sealed) {
        this.bytes -= segment.size - segment.durableEnd;
        await segment.fd?.truncate(segment.durableEnd).catch(() => {});
        segment.size = segment.durableEnd;
        this.seal(segment);
      }
      this.current = undefined;
      this.logger.error({ err: { code }, journal: this.dir }, 'decision journal write failed: decisions answer 503 until it can write again');
      return fail(new JournalUnavailableError(this.failure!.reason));
    }
    for (const p of group) p.resolve();
  }

  private setFailure(code: string, reason: string): void {
    this.failure = { code, reason };
    this.recoveryTimer ??= setInterval(() => void this.recover(), 250);
    this.recoveryTimer.unref();
  }

  /** While failed: frees a fully shipped current segment, then tries to write again (a new, durable segment). */
  private async recover(): Promise<void> {
    if (!this.failure || this.writing || this.closed) return;
    if (this.failure.code === 'full') {
      const c = this.current;
      if (c && c.unshipped === 0 && c.durableEnd > MAGIC.length) {
        this.seal(c);
        this.current = undefined;
      }
      if (this.bytes > 0.9 * this.maxBytes) return;
    } else {
      // A full disk frees a few pages whenever a shipped segment is deleted: writing resumes only once a whole
      // segment fits, not at every freed page (answers would flap between 200 and 503).
      const fs = await fsp.statfs(this.dir).catch(() => undefined);
      if (!fs || fs.bavail * fs.bsize < this.segmentBytes) return;
      if (!this.failure || this.writing || this.closed) return;
    }
    this.writing = (async () => {
      try {
        this.current ??= await this.openSegment();
        this.failure = undefined;
        clearInterval(this.recoveryTimer);
        this.recoveryTimer = undefined;
        this.logger.info({ journal: this.dir }, 'decision journal writes again');
      } catch {
        /* still failing: next tick */
      }
    })().finally(() => {
      this.writing = undefined;
      if (this.pending.length) this.startWriter();
    });
  }

  /** A new segment: created (O_DSYNC), its header written, and the directory fsync'd (the name is durable). */
  private async openSegment(): Promise<Segment> {
    const id = this.nextId++;
    const file = path.join(this.dir, segmentName(id));
    const fd = await fsp.open(file, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_DSYNC, 0o600);
    try {
      await fd.write(MAGIC, 0, MAGIC.length, 0);
      const dir = await fsp.open(this.dir, 'r');
      try {
        await dir.sync();
      } finally {
        await dir.close();
      }
    } catch (error) {
      await fd.close().catch(() => {});
      await fsp.rm(file, { force: true }).catch(() => {});
      throw error;
    }
    this.fsyncs += 2;
    const segment: Segment = { id, file, durableEnd: MAGIC.length, size: MAGIC.length, unshipped: 0, sealed: false, fd };
    this.segments.set(id, segment);
    this.bytes += MAGIC.length;
    return segment;
  }

  private seal(segment: Segment): void {
    segment.sealed = true;
    const fd = segment.fd;
    segment.fd = undefined;
    void fd?.close().catch(() => {});
    this.maybeDelete(segment);
  }

  private maybeDelete(segment: Segment): void {
    if (!segment.sealed || segment.unshipped > 0) return;
    if (this.backlog && this.backlog.segment <= segment.id) return;
    this.segments.delete(segment.id);
    this.bytes -= segment.size;
    const deleting = fsp
      .rm(segment.file, { force: true })
      .catch((error: unknown) =>
        this.logger.warn(
          { err: { code: (error as NodeJS.ErrnoException).code }, journal: this.dir },
          'decision journal: a shipped segment could not be deleted',
        ),
      )
      .finally(() => this.deleting.delete(deleting));
    this.deleting.add(deleting);
  }

  /** The writer shipped (or quarantined) one record of this segment. */
  shipped(segmentId: number): void {
    const segment = this.segments.get(segmentId);
    if (!segment) return;
    segment.unshipped--;
    this.maybeDelete(segment);
  }

  /**
   * Up to `max` records of the backlog, in journal order, read back from disk; the backlog ends once the reader
   * reaches the durable end of the segment being written.
   */
  async readBacklog(max: number): Promise<JournalEntry[]> {
    const out: JournalEntry[] = [];
    while (this.backlog && out.length < max) {
      const { segment: id, offset } = this.backlog;
      const segment = this.segments.get(id);
      if (!segment) {
        this.advancePast(id);
        continue;
      }
      if (offset >= segment.durableEnd) {
        if (!segment.sealed) {
          this.backlog = undefined;
          break;
        }
        this.advancePast(id);
        this.maybeDelete(segment);
        continue;
      }
      const remaining = segment.durableEnd - offset;
      let buf = await readAt(segment.file, offset, Math.min(remaining, 4 * 1024 * 1024));
      // A record larger than the chunk: read exactly that one.
      if (buf.length >= FRAME_HEADER && buf.readUInt32LE(0) + FRAME_HEADER > buf.length && buf.readUInt32LE(0) + FRAME_HEADER <= remaining) {
        buf = await readAt(segment.file, offset, buf.readUInt32LE(0) + FRAME_HEADER);
      }
      const { frames, end } = readFrames(buf);
      const take = frames.slice(0, max - out.length);
      if (take.length === 0) {
        if (end === 0) {
          // Not even one whole frame below the durable end: the file is not what was written. Skip the rest.
          this.logger.error(
            { journal: this.dir, segment: segmentName(id), offset },
            'decision journal: unreadable records below the durable end; skipping the rest of the segment',
          );
          segment.unshipped = 0;
          this.advancePast(id);
          this.maybeDelete(segment);
        }
        continue;
      }
      for (const f of take) out.push({ record: decode(f.payload), segment: id });
      // Still the same backlog (the reader is the only one that moves it forward).
      this.backlog = { segment: id, offset: offset + take[take.length - 1].end };
    }
    return out;
  }

  private advancePast(id: number): void {
    const next = [...this.segments.keys()].filter((k) => k > id).sort((a, b) => a - b)[0];
    this.backlog = next === undefined ? undefined : { segment: next, offset: MAGIC.length };
  }

  /** Waits for the group being written, then closes the segment. Unshipped records stay for the next start. */
  async close(): Promise<void> {
    while (this.writing) await this.writing;
    this.closed = true;
    clearInterval(this.recoveryTimer);
    for (const p of this.pending) p.reject(new JournalUnavailableError('is closed'));
    this.pending = [];
    const c = this.current;
    this.current = undefined;
    if (c) {
      c.sealed = true;
      await c.fd?.close().catch(() => {});
      c.fd = undefined;
      this.maybeDelete(c);
    }
    await Promise.all(this.deleting);
    await fsp.rm(path.join(this.dir, 'journal.lock'), { force: true });
  }
}
