import { crc32 } from 'node:zlib';

/**
 * Takes a pack's ZIP apart into its members' records and puts records back together with correct offsets, so tests
 * can build the ZIPs an attacker would (a member twice, members reordered or renamed, a member re-encoded) without
 * the result failing for a reason the test did not mean. Assumes PackWriter's layout: no extra fields, no comments.
 */
export interface ZipRecord {
  name: string;
  /** local header, data and data descriptor */
  local: Buffer;
  /** the central directory entry (its offset is rewritten by joinZip) */
  central: Buffer;
}

export function splitZip(zip: Uint8Array): ZipRecord[] {
  const b = Buffer.from(zip);
  const eocd = b.length - 22;
  if (b.readUInt32LE(eocd) !== 0x06054b50) throw new Error('no end record at the end');
  const count = b.readUInt16LE(eocd + 10);
  const cdOffset = b.readUInt32LE(eocd + 16);
  const entries: Array<{ name: string; offset: number; central: Buffer }> = [];
  for (let p = cdOffset, i = 0; i < count; i++) {
    const len = 46 + b.readUInt16LE(p + 28) + b.readUInt16LE(p + 30) + b.readUInt16LE(p + 32);
    entries.push({
      name: b.toString('utf8', p + 46, p + 46 + b.readUInt16LE(p + 28)),
      offset: b.readUInt32LE(p + 42),
      central: Buffer.from(b.subarray(p, p + len)),
    });
    p += len;
  }
  const starts = [...entries.map((e) => e.offset), cdOffset].sort((x, y) => x - y);
  return entries.map((e) => ({ name: e.name, central: e.central, local: Buffer.from(b.subarray(e.offset, starts[starts.indexOf(e.offset) + 1])) }));
}

export function joinZip(records: ZipRecord[]): Buffer {
  let offset = 0;
  const centrals: Buffer[] = [];
  for (const r of records) {
    const c = Buffer.from(r.central);
    c.writeUInt32LE(offset, 42);
    centrals.push(c);
    offset += r.local.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(records.length, 8);
  end.writeUInt16LE(records.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...records.map((r) => r.local), cd, end]);
}

/** The same record under another name, in both headers. */
export function renamed(r: ZipRecord, name: string | Buffer): ZipRecord {
  const n = typeof name === 'string' ? Buffer.from(name, 'utf8') : name;
  const oldLength = r.local.readUInt16LE(26);
  const local = Buffer.concat([r.local.subarray(0, 30), n, r.local.subarray(30 + oldLength)]);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.concat([r.central.subarray(0, 46), n, r.central.subarray(46 + oldLength)]);
  central.writeUInt16LE(n.length, 28);
  return { name: n.toString('utf8'), local, central };
}

/**
 * A record laid out exactly as PackWriter lays one out, around deflate data made elsewhere (zlib at any level, or
 * bytes a test crafted): what a forger who knows the format would write.
 */
export function recordFromDeflated(name: string, deflated: Uint8Array, content: Uint8Array, like?: ZipRecord): ZipRecord {
  const n = Buffer.from(name, 'utf8');
  const time = like ? like.central.readUInt16LE(12) : 0;
  const date = like ? like.central.readUInt16LE(14) : 0x21;
  const crc = crc32(content);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 6);
  local.writeUInt16LE(8, 8);
  local.writeUInt16LE(time, 10);
  local.writeUInt16LE(date, 12);
  local.writeUInt16LE(n.length, 26);
  const descriptor = Buffer.alloc(16);
  descriptor.writeUInt32LE(0x08074b50, 0);
  descriptor.writeUInt32LE(crc, 4);
  descriptor.writeUInt32LE(deflated.length, 8);
  descriptor.writeUInt32LE(content.length, 12);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 8);
  central.writeUInt16LE(8, 10);
  central.writeUInt16LE(time, 12);
  central.writeUInt16LE(date, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(deflated.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(n.length, 28);
  return { name, local: Buffer.concat([local, n, deflated, descriptor]), central: Buffer.concat([central, n]) };
}

/** Where a record's compressed data sits inside `record.local`. */
export function dataRange(r: ZipRecord): { start: number; end: number } {
  const start = 30 + r.local.readUInt16LE(26) + r.local.readUInt16LE(28);
  return { start, end: start + r.central.readUInt32LE(20) };
}
