import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { crc32, createInflateRaw, inflateRawSync } from 'node:zlib';
import { DeflateWalker, WalkError } from './deflate-walker.ts';

/**
 * Reads a pack's ZIP container the strict way. A pack is only ever written by PackWriter (fflate's streaming Zip,
 * deflate level 6), so every byte outside the compressed data is known from the central directory: a local header
 * with zero sizes and flag 8, the compressed data, a 16-byte data descriptor, the central directory, a 22-byte end
 * record, nothing before, between or after. Anything else — a second copy of a name, a local header that disagrees
 * with the central directory (ZIP readers that stream take the first, others the last), a changed timestamp, bytes
 * appended — is reported, so that "valid" means no byte of the file changed, not only that the members read back.
 * The reader is lenient only as far as it needs to name what changed: members are located through the central
 * directory, and their content is still checked when their headers are not the ones Tenet writes.
 */

export interface ZipMember {
  /** the name as stored, decoded as UTF-8 (invalid bytes become U+FFFD; see `nameOk` in verify-pack) */
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** file offset of the compressed data */
  dataStart: number;
  /** how this member's bytes differ from what PackWriter writes for it (empty when they match) */
  layout: string[];
}

export interface PackZip {
  members: ZipMember[];
  /** how the container around the members differs from what PackWriter writes */
  layout: string[];
}

/** The file is not a ZIP this reader can walk at all: the caller reports it as such. */
export class UnreadableZipError extends Error {}

/** One member's data cannot be read back (bad deflate data, cut short, an unknown method). */
export class CorruptMemberError extends Error {}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const DESCRIPTOR = 0x08074b50;
const EOCD_SIZE = 22;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
const DESCRIPTOR_SIZE = 16;
// What fflate's Zip writes for a ZipDeflate member: version 2.0, general-purpose flag bit 3 (sizes in a data
// descriptor), method 8; "version made by" 2.0 with no host system; no extra field, comment or attributes.
const VERSION = 20;
const FLAGS = 0x0008;
const DEFLATE = 8;
const STORED = 0;
// A pack has one member per control plus a handful; a directory larger than this is not one.
const MAX_CENTRAL_DIRECTORY = 16 << 20;
const CHUNK = 1 << 20;
// Members this small are inflated in one synchronous call: a pack's members mostly are, and a stream per member
// costs more than the inflating. Larger ones stream, so memory stays flat whatever the period.
const WHOLE_INPUT = 1 << 20;
const WHOLE_OUTPUT = 32 << 20;
const WHOLE_FILE = 16 << 20;

/**
 * Where the reader gets bytes: a pack up to WHOLE_FILE is read into memory once (each read of a file is a round
 * trip to the thread pool, and a pack is read in many small pieces); a larger one is read where needed.
 */
export class PackSource {
  private constructor(
    private readonly fh: FileHandle,
    readonly size: number,
    private readonly whole: Buffer | undefined,
  ) {}

  static async open(fh: FileHandle): Promise<PackSource> {
    const size = (await fh.stat()).size;
    const source = new PackSource(fh, size, undefined);
    return size <= WHOLE_FILE ? new PackSource(fh, size, await source.read(0, size)) : source;
  }

  /** `length` bytes at `position`, fewer at the end of the file; always a copy the caller may change. */
  async read(position: number, length: number): Promise<Buffer> {
    if (this.whole) return Buffer.from(this.whole.subarray(position, Math.min(position + length, this.size)));
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await this.fh.read(buf, done, length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === length ? buf : buf.subarray(0, done);
  }
}

/** The local header, data descriptor and central directory entry PackWriter writes for a member with these values. */
function expectedHeaders(m: { nameBytes: Buffer; time: number; date: number; crc: number; compressedSize: number; size: number; offset: number }) {
  const local = Buffer.alloc(LOCAL_SIZE);
  local.writeUInt32LE(LOCAL, 0);
  local.writeUInt16LE(VERSION, 4);
  local.writeUInt16LE(FLAGS, 6);
  local.writeUInt16LE(DEFLATE, 8);
  local.writeUInt16LE(m.time, 10);
  local.writeUInt16LE(m.date, 12);
  // crc and both sizes are zero here: they follow the data, in the descriptor
  local.writeUInt16LE(m.nameBytes.length, 26);
  const descriptor = Buffer.alloc(DESCRIPTOR_SIZE);
  descriptor.writeUInt32LE(DESCRIPTOR, 0);
  descriptor.writeUInt32LE(m.crc, 4);
  descriptor.writeUInt32LE(m.compressedSize, 8);
  descriptor.writeUInt32LE(m.size, 12);
  const central = Buffer.alloc(CENTRAL_SIZE);
  central.writeUInt32LE(CENTRAL, 0);
  central.writeUInt16LE(VERSION, 4);
  central.writeUInt16LE(VERSION, 6);
  central.writeUInt16LE(FLAGS, 8);
  central.writeUInt16LE(DEFLATE, 10);
  central.writeUInt16LE(m.time, 12);
  central.writeUInt16LE(m.date, 14);
  central.writeUInt32LE(m.crc, 16);
  central.writeUInt32LE(m.compressedSize, 20);
  central.writeUInt32LE(m.size, 24);
  central.writeUInt16LE(m.nameBytes.length, 28);
  central.writeUInt32LE(m.offset, 42);
  return { local: Buffer.concat([local, m.nameBytes]), descriptor, central: Buffer.concat([central, m.nameBytes]) };
}

/** Walks the central directory and every local header; throws UnreadableZipError when there is no directory to walk. */
export async function readPackZip(src: PackSource): Promise<PackZip> {
  const fileSize = src.size;
  if (fileSize < EOCD_SIZE) throw new UnreadableZipError(`${fileSize} bytes, too short for a ZIP`);
  const layout: string[] = [];
  // PackWriter writes no archive comment, so the end record is the last 22 bytes. Look further back (a comment is
  // at most 65,535 bytes) only to be able to name what changed in a file that has something appended.
  let eocdAt = fileSize - EOCD_SIZE;
  let eocd = await src.read(eocdAt, EOCD_SIZE);
  if (eocd.readUInt32LE(0) !== EOCD) {
    const tailStart = Math.max(0, fileSize - EOCD_SIZE - 0xffff);
    const tail = await src.read(tailStart, fileSize - tailStart);
    let at = -1;
    for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i;
        break;
      }
    }
    if (at < 0) throw new UnreadableZipError('no end-of-central-directory record (cut short, or not a ZIP)');
    eocdAt = tailStart + at;
    eocd = tail.subarray(at, at + EOCD_SIZE);
    layout.push(`${fileSize - eocdAt - EOCD_SIZE} bytes after the end-of-central-directory record`);
  } else if (eocd.readUInt16LE(20) !== 0) {
    // a comment length that claims bytes the file does not have
    layout.push('the end-of-central-directory record announces a comment');
  }
  const disk = eocd.readUInt16LE(4);
  const cdDisk = eocd.readUInt16LE(6);
  const onDisk = eocd.readUInt16LE(8);
  const count = eocd.readUInt16LE(10);
  const cdSize = eocd.readUInt32LE(12);
  const cdOffset = eocd.readUInt32LE(16);
  if (disk !== 0 || cdDisk !== 0 || onDisk !== count) throw new UnreadableZipError('a multi-part (spanned) ZIP');
  if (cdOffset + cdSize > eocdAt) throw new UnreadableZipError('the central directory lies outside the file (cut short?)');
  if (cdSize > MAX_CENTRAL_DIRECTORY) throw new UnreadableZipError('a central directory too large for a pack');
  if (cdOffset + cdSize !== eocdAt) layout.push(`${eocdAt - cdOffset - cdSize} bytes between the central directory and its end record`);
  const cd = await src.read(cdOffset, cdSize);

  const members: ZipMember[] = [];
  let p = 0;
  let expectedOffset = 0;
  for (let i = 0; i < count; i++) {
    if (p + CENTRAL_SIZE > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw new UnreadableZipError(`central directory entry ${i + 1} of ${count} is damaged`);
    const nameLength = cd.readUInt16LE(p + 28);
    const extraLength = cd.readUInt16LE(p + 30);
    const commentLength = cd.readUInt16LE(p + 32);
    const entryLength = CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (p + entryLength > cd.length) throw new UnreadableZipError(`central directory entry ${i + 1} of ${count} is damaged`);
    const nameBytes = Buffer.from(cd.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLength));
    const member = {
      name: nameBytes.toString('utf8'),
      method: cd.readUInt16LE(p + 10),
      crc: cd.readUInt32LE(p + 16),
      compressedSize: cd.readUInt32LE(p + 20),
      size: cd.readUInt32LE(p + 24),
      dataStart: -1,
      layout: [] as string[],
    };
    const offset = cd.readUInt32LE(p + 42);
    const expected = expectedHeaders({
      nameBytes,
      time: cd.readUInt16LE(p + 12),
      date: cd.readUInt16LE(p + 14),
      crc: member.crc,
      compressedSize: member.compressedSize,
      size: member.size,
      offset: expectedOffset,
    });
    if (!cd.subarray(p, p + entryLength).equals(expected.central)) member.layout.push('central directory entry');
    p += entryLength;

    const local = offset + LOCAL_SIZE <= cdOffset ? await src.read(offset, LOCAL_SIZE) : Buffer.alloc(0);
    if (local.length < LOCAL_SIZE || local.readUInt32LE(0) !== LOCAL) {
      member.layout.push('local header missing');
      members.push(member);
      continue;
    }
    const localName = local.readUInt16LE(26);
    const localExtra = local.readUInt16LE(28);
    member.dataStart = offset + LOCAL_SIZE + localName + localExtra;
    const localBytes = await src.read(offset, LOCAL_SIZE + localName);
    if (!localBytes.equals(expected.local) || localExtra !== 0) {
      // Packs written before PackWriter fixed the members' time could differ here only in the timestamp; say so.
      const timeOnly =
        localBytes.length === expected.local.length &&
        localExtra === 0 &&
        Buffer.concat([localBytes.subarray(0, 10), localBytes.subarray(14)]).equals(
          Buffer.concat([expected.local.subarray(0, 10), expected.local.subarray(14)]),
        );
      member.layout.push(timeOnly ? "local header's time differs from the central directory's" : 'local header');
    }
    const dataEnd = member.dataStart + member.compressedSize;
    const descriptor = dataEnd + DESCRIPTOR_SIZE <= cdOffset ? await src.read(dataEnd, DESCRIPTOR_SIZE) : Buffer.alloc(0);
    if (!descriptor.equals(expected.descriptor)) member.layout.push('data descriptor');
    expectedOffset = dataEnd + DESCRIPTOR_SIZE;
    members.push(member);
  }
  if (p !== cd.length) layout.push('the central directory holds more than its entries');
  if (expectedOffset !== cdOffset) layout.push('the members do not end where the central directory starts');
  return { members, layout };
}

export interface InflatedMember {
  sha256: string;
  size: number;
}

/**
 * Inflates one member and hands each chunk to `onData`. Throws CorruptMemberError when the data cannot be read back
 * whole: bad deflate data, data cut short, more or less output than the central directory records, data left over
 * after the deflate stream ends, or a bit the deflate format ignores set (DeflateWalker): PackWriter zeroes those,
 * and they are where a byte could change without changing what inflates.
 */
export async function inflateMember(src: PackSource, m: ZipMember, onData?: (chunk: Buffer) => void): Promise<InflatedMember> {
  if (m.dataStart < 0) throw new CorruptMemberError('no local header');
  if (m.method !== DEFLATE && m.method !== STORED) throw new CorruptMemberError(`compression method ${m.method}`);
  const small = m.compressedSize <= WHOLE_INPUT && m.size <= WHOLE_OUTPUT;
  const r = await (small ? inflateWhole(src, m, onData) : inflateRange(src, m, onData));
  // The headers' CRC-32 agree with each other (readPackZip); this says they describe these bytes.
  if (r.crc !== m.crc) throw new CorruptMemberError('CRC-32 does not match the data');
  return { sha256: r.sha256, size: r.size };
}

function walk(walker: DeflateWalker, chunk: Uint8Array, last: boolean): void {
  try {
    walker.push(chunk, last);
  } catch (error) {
    if (error instanceof WalkError)
      throw new CorruptMemberError(
        error.message === 'cut short' || error.message.startsWith('bits set') || error.message.startsWith('data after') ? error.message : 'corrupt data',
      );
    throw error;
  }
}

async function inflateWhole(src: PackSource, m: ZipMember, onData?: (chunk: Buffer) => void): Promise<InflatedMember & { crc: number }> {
  const data = await src.read(m.dataStart, m.compressedSize);
  if (data.length !== m.compressedSize) throw new CorruptMemberError('cut short');
  let out: Buffer;
  if (m.method === STORED) out = data;
  else {
    try {
      out = inflateRawSync(data, { maxOutputLength: Math.max(1, m.size) });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CorruptMemberError(
        code === 'Z_BUF_ERROR' ? 'cut short' : code === 'ERR_BUFFER_TOO_LARGE' ? 'more data than the central directory records' : 'corrupt data',
      );
    }
    walk(new DeflateWalker(), data, true);
  }
  if (out.length !== m.size)
    throw new CorruptMemberError(out.length > m.size ? 'more data than the central directory records' : 'less data than the central directory records');
  onData?.(out);
  return { sha256: createHash('sha256').update(out).digest('hex'), size: out.length, crc: crc32(out) };
}

/** The same, streaming: memory stays flat whatever the member's size. */
async function inflateRange(src: PackSource, m: ZipMember, onData?: (chunk: Buffer) => void): Promise<InflatedMember & { crc: number }> {
  const hash = createHash('sha256');
  let size = 0;
  let crc = 0;
  const end = m.dataStart + m.compressedSize;
  const walker = new DeflateWalker();
  async function* compressed() {
    for (let pos = m.dataStart; pos < end;) {
      const chunk = await src.read(pos, Math.min(CHUNK, end - pos));
      if (chunk.length === 0) throw new CorruptMemberError('cut short');
      pos += chunk.length;
      if (m.method === DEFLATE) walk(walker, chunk, pos === end);
      yield chunk;
    }
  }
  async function sink(source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      size += chunk.length;
      if (size > m.size) throw new CorruptMemberError('more data than the central directory records');
      hash.update(chunk);
      crc = crc32(chunk, crc);
      onData?.(chunk);
    }
  }
  try {
    if (m.method === DEFLATE) await pipeline(compressed, createInflateRaw(), sink);
    else await pipeline(compressed, sink);
  } catch (error) {
    if (error instanceof CorruptMemberError) throw error;
    // zlib says Z_BUF_ERROR when the deflate stream stops before its final block: the data was cut short.
    throw new CorruptMemberError((error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR' ? 'cut short' : 'corrupt data');
  }
  if (size !== m.size) throw new CorruptMemberError('less data than the central directory records');
  return { sha256: hash.digest('hex'), size, crc };
}
