import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { deflateSync as fflateDeflate } from 'fflate';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createScanner } from '../../engine/scanner/scanner.ts';
import { main } from '../../engine/main/cli.ts';
import { verify } from '../../engine/main/commands/pack.ts';
import { DeflateWalker, WalkError } from './deflate-walker.ts';
import { PackWriter } from './pack-writer.ts';
import { keyId } from '../ledger/signing.ts';
import { PackFileError, readPackMember, verifyPack } from './verify-pack.ts';
import { dataRange, joinZip, recordFromDeflated, renamed, splitZip, type ZipRecord } from '../../test/helpers/zip-surgery.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tenet-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();

/**
 * A pack written the way build-pack writes one (PackWriter, then public-key.pem, manifest.json, manifest.sig), with
 * small members so that every offset of it can be tried. `extraListed` adds manifest entries (signed) for tests of
 * what a manifest may name.
 */
async function writePack(
  file: string,
  members: Array<[string, string | Uint8Array]>,
  opts: { extraListed?: Array<{ path: string; sha256: string; size: number }>; files?: unknown } = {},
): Promise<Buffer> {
  const writer = new PackWriter(createWriteStream(file), createScanner({ secret: 'verify-test-secret-0123456789abcdef' }));
  for (const [name, content] of members) {
    if (typeof content === 'string') await writer.add(name, [content]);
    else await writer.addBinary(name, content);
  }
  await writer.add('public-key.pem', [publicKeyPem]);
  const manifest = {
    format: 'tenet-pack/1',
    profile: 'sp-api',
    period: { from: '2026-10-01T00:00:00.000Z', to: '2026-11-01T00:00:00.000Z' },
    generatedAt: '2026-11-01T00:00:00.000Z',
    generator: 'verify-pack.test',
    policyHash: 'x',
    chainHead: null,
    signingKeyId: keyId(publicKeyPem),
    files: opts.files ?? [...writer.files, ...(opts.extraListed ?? [])],
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  await writer.add('manifest.json', [manifestBytes], { scanText: false });
  await writer.add('manifest.sig', [sign(null, manifestBytes, privateKey).toString('base64') + '\n']);
  await writer.finish();
  return readFileSync(file);
}

const CSV =
  'control,status,last run\n' +
  Array.from({ length: 30 }, (_, i) => `storage.control-${i},${i % 3 ? 'pass' : 'fail'},2026-10-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`).join(
    '\n',
  ) +
  '\n';
const MEMBERS: Array<[string, string]> = [
  ['index.html', `<!doctype html><title>Pack</title><h1>Review pack</h1>${'<p>Requirement DPP-1.1: pass</p>'.repeat(8)}`],
  ['controls.csv', CSV],
  ['evidence/storage.s3-encryption.json', JSON.stringify([{ seq: 1, hash: 'ab'.repeat(32), payload: { buckets: 3, encrypted: 3 } }])],
];

let packFile: string;
let pack: Buffer;
let records: ZipRecord[];
const write = (name: string, bytes: Uint8Array) => {
  const f = path.join(dir, name);
  writeFileSync(f, bytes);
  return f;
};

beforeAll(async () => {
  packFile = path.join(dir, 'pack.zip');
  pack = await writePack(packFile, MEMBERS);
  records = splitZip(pack);
});

/** Runs the CLI's verify as `tenet verify` does, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  try {
    return { code: await verify(args), out: lines.join('\n') };
  } finally {
    spy.mockRestore();
  }
}

describe('tenet verify', () => {
  it('says valid for the pack as written, with the key inside and with the key given', async () => {
    expect(await verifyPack(packFile)).toMatchObject({ ok: true, problems: [] });
    expect(await verifyPack(packFile, publicKeyPem)).toMatchObject({ ok: true, problems: [], keySource: 'given' });
    expect(records.map((r) => r.name)).toEqual([
      'index.html',
      'controls.csv',
      'evidence/storage.s3-encryption.json',
      'public-key.pem',
      'manifest.json',
      'manifest.sig',
    ]);
    expect(joinZip(records).equals(pack), 'the test helper puts a pack back together byte for byte').toBe(true);
  });

  it("accepts the pack's reviewer files in folders (attestations, policies, oscal), VERIFY.txt and SHA256SUMS, and names a changed one", async () => {
    const file = path.join(dir, 'reviewer-files.zip');
    const members: Array<[string, string]> = [
      ...MEMBERS,
      ['exceptions.json', '[]\n'],
      ['attestations/runbook.data-deletion-export.jws', 'eyJhbGciOiJFZERTQSJ9.e30.c2ln\n'],
      ['policies/active.cedar', 'permit (principal, action, resource);\n'],
      ['oscal/assessment-plan.json', '{}\n'],
      ['oscal/poam.json', '{}\n'],
      ['VERIFY.txt', 'How to verify this pack with stock tools\n'],
    ];
    const writer = new PackWriter(createWriteStream(file), createScanner({ secret: 'verify-test-secret-0123456789abcdef' }));
    for (const [name, content] of members) await writer.add(name, [content], { scanText: !name.endsWith('.jws') });
    await writer.add('public-key.pem', [publicKeyPem]);
    await writer.add('SHA256SUMS', [writer.files.map((f) => `${f.sha256}  ${f.path}\n`).join('')]);
    const manifestBytes = Buffer.from(
      JSON.stringify(
        { format: 'tenet-pack/1', profile: 'sp-api', period: { from: 'a', to: 'b' }, signingKeyId: keyId(publicKeyPem), files: [...writer.files] },
        null,
        2,
      ) + '\n',
    );
    await writer.add('manifest.json', [manifestBytes], { scanText: false });
    await writer.add('manifest.sig', [sign(null, manifestBytes, privateKey).toString('base64') + '\n']);
    await writer.finish();
    expect(await verifyPack(file, publicKeyPem)).toMatchObject({ ok: true, problems: [] });
    const zip = readFileSync(file);
    const at = zip.indexOf('policies/active.cedar') + 'policies/active.cedar'.length + 5;
    const changed = Buffer.from(zip);
    changed[at] ^= 0x01;
    const r = await verifyPack(write('reviewer-files-changed.zip', changed), publicKeyPem);
    expect(r.ok).toBe(false);
    expect(r.problems.join('\n')).toMatch(/policies\/active\.cedar: (changed|unreadable)/);
  });

  it('a byte flipped inside compressed controls.csv: "NOT valid — controls.csv: unreadable (corrupt data)", exit 1, no stack', async () => {
    const csv = records[1];
    const { start, end } = dataRange(csv);
    let corrupt: string | undefined;
    for (let i = start; i < end && !corrupt; i++) {
      const bytes = Buffer.from(pack);
      bytes[pack.indexOf(csv.local) + i] ^= 0xff;
      const r = await verifyPack(write('csv-flip.zip', bytes));
      if (r.problems.includes('controls.csv: unreadable (corrupt data)')) corrupt = write('csv-corrupt.zip', bytes);
    }
    expect(corrupt, 'some flip makes the deflate data unreadable').toBeDefined();
    const { code, out } = await cli([corrupt!]);
    expect(code).toBe(1);
    expect(out).toContain('NOT valid — controls.csv: unreadable (corrupt data)');
    expect(out).not.toMatch(/at \w+ \(|node_modules|fflate/);
  });

  it('every byte of the pack, flipped whole or by one bit: never valid, never a crash, and a changed member is named', async () => {
    const owner: Array<string | undefined> = new Array(pack.length).fill(undefined);
    let at = 0;
    for (const r of records) {
      const { start, end } = dataRange(r);
      for (let i = at + start; i < at + end; i++) owner[i] = r.name;
      at += r.local.length;
    }
    const file = path.join(dir, 'flip.zip');
    let named = 0;
    for (let offset = 0; offset < pack.length; offset++) {
      for (const mask of [0xff, 1 << (offset % 8)]) {
        const bytes = Buffer.from(pack);
        bytes[offset] ^= mask;
        writeFileSync(file, bytes);
        const r = await verifyPack(file, offset % 2 ? publicKeyPem : undefined);
        if (r.ok || !r.problems.length) throw new Error(`offset ${offset} mask ${mask}: said valid`);
        const member = owner[offset];
        if (member) {
          if (!r.problems.some((p) => p.startsWith(`${member}: `) || p.startsWith('manifest.sig: the signature')))
            throw new Error(`offset ${offset} (${member}): ${r.problems.join('; ')}`);
          named++;
        }
      }
    }
    expect(named).toBeGreaterThan(pack.length / 2);
  });

  it('refuses a name twice (the unsigned copy first, or an exact copy), and says so', async () => {
    const forged = recordFromDeflated(
      'controls.csv',
      deflateRawSync('control,status\nstorage.everything,pass\n'),
      Buffer.from('control,status\nstorage.everything,pass\n'),
      records[1],
    );
    for (const [label, list] of [
      ['unsigned first', [forged, ...records]],
      ['unsigned last', [...records, forged]],
      ['exact copy', [...records.slice(0, 2), records[1], ...records.slice(2)]],
      ['manifest twice', [...records, records[4]]],
    ] as const) {
      const r = await verifyPack(write('dup.zip', joinZip([...list])), publicKeyPem);
      expect(r.ok, label).toBe(false);
      expect(
        r.problems.some((p) => / appears 2 times \(a pack holds each file once\)$/.test(p)),
        label,
      ).toBe(true);
    }
  });

  it('refuses names outside the path grammar and members the manifest does not list', async () => {
    for (const bad of ['../controls.csv', '/controls.csv', 'evidence\\storage.json', 'evidence/../controls.csv', './controls.csv', 'a//b', 'nul\u0000.csv']) {
      const r = await verifyPack(write('bad-name.zip', joinZip([renamed(records[1], bad), ...records])), publicKeyPem);
      expect(r.ok, bad).toBe(false);
      expect(r.problems, bad).toContain(`${JSON.stringify(bad)}: a name outside the pack's path grammar`);
      expect(r.problems, bad).toContain(`${JSON.stringify(bad)}: not in the manifest`);
    }
    const extra = recordFromDeflated('evidence/extra.json', deflateRawSync('[]'), Buffer.from('[]'), records[2]);
    const r = await verifyPack(write('extra.zip', joinZip([...records.slice(0, 3), extra, ...records.slice(3)])), publicKeyPem);
    expect(r).toMatchObject({ ok: false, problems: ['evidence/extra.json: not in the manifest'] });
  });

  it('a signed manifest that lists a path outside the grammar, or is not a manifest, is a verdict, not a crash', async () => {
    const bad = await writePack(path.join(dir, 'listed.zip'), MEMBERS, { extraListed: [{ path: '../../etc/passwd', sha256: '0'.repeat(64), size: 1 }] });
    const r = await verifyPack(write('listed.zip', bad), publicKeyPem);
    expect(r.ok).toBe(false);
    expect(r.problems).toContain(`manifest.json lists "../../etc/passwd", a name outside the pack's path grammar`);
    const shapeless = await writePack(path.join(dir, 'shapeless.zip'), MEMBERS, { files: 5 });
    const s = await verifyPack(write('shapeless.zip', shapeless), publicKeyPem);
    expect(s.ok).toBe(false);
    expect(s.problems.at(-1)).toMatch(/^manifest.json is not a tenet-pack\/1 manifest \(files: /);
  });

  it('refuses members reordered, renamed, dropped, or the ZIP cut short or extended', async () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      ['reordered', joinZip([records[1], records[0], ...records.slice(2)]), /^ZIP container: the members are not in the order the manifest lists them$/],
      ['renamed', joinZip([records[0], renamed(records[1], 'controls.CSV'), ...records.slice(2)]), /^controls.csv: missing$/],
      ['dropped', joinZip([records[0], ...records.slice(2)]), /^controls.csv: missing$/],
      ['appended', Buffer.concat([pack, Buffer.from('x')]), /^ZIP container: 1 bytes after the end-of-central-directory record$/],
      ['prepended', Buffer.concat([Buffer.from('PK'), pack]), /ZIP headers differ|not a readable pack ZIP|ZIP container/],
      ['cut short', pack.subarray(0, pack.length - 1), /^not a readable pack ZIP: /],
      ['empty', Buffer.alloc(0), /^not a readable pack ZIP: 0 bytes/],
    ];
    for (const [label, bytes, problem] of cases) {
      const r = await verifyPack(write(`${label}.zip`, bytes), publicKeyPem);
      expect(r.ok, label).toBe(false);
      expect(
        r.problems.some((p) => problem.test(p)),
        `${label}: ${r.problems.join('; ')}`,
      ).toBe(true);
    }
  });

  it('a missing or unreadable pack file is a usage error (exit 2), not "NOT valid"', async () => {
    await expect(verifyPack(path.join(dir, 'no-such.zip'))).rejects.toThrow(PackFileError);
    const errors: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a.join(' ')));
    const logs = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      expect(await main(['verify', path.join(dir, 'no-such.zip')])).toBe(2);
      mkdirSync(path.join(dir, 'a-directory.zip'), { recursive: true });
      expect(await main(['verify', path.join(dir, 'a-directory.zip')])).toBe(2);
      expect(logs).not.toHaveBeenCalledWith(expect.stringContaining('NOT valid'));
    } finally {
      spy.mockRestore();
      logs.mockRestore();
    }
    expect(errors.join('\n')).toMatch(/cannot read .*no-such\.zip: ENOENT/);
  });

  it('catches the bits deflate ignores: padding after the final block and after a stored block header', async () => {
    // After the final block: find a member whose last byte has an unused top bit, and set it.
    let padded: Buffer | undefined;
    let at = 0;
    for (const r of records) {
      const { end } = dataRange(r);
      const i = at + end - 1;
      at += r.local.length;
      if (pack[i] & 0x80) continue;
      const bytes = Buffer.from(pack);
      bytes[i] |= 0x80;
      const data = bytes.subarray(i - (end - dataRange(r).start) + 1, i + 1);
      const before = pack.subarray(i - (end - dataRange(r).start) + 1, i + 1);
      const same = (() => {
        try {
          return inflateRawSync(data).equals(inflateRawSync(before));
        } catch {
          return false;
        }
      })();
      if (same) {
        padded = bytes;
        break;
      }
    }
    expect(padded, 'some member ends with an unused bit').toBeDefined();
    const r = await verifyPack(write('padded.zip', padded!), publicKeyPem);
    expect(r.ok).toBe(false);
    expect(r.problems.some((p) => p.endsWith(': unreadable (bits set after the end of the deflate stream)'))).toBe(true);

    // A stored block (what zlib writes at level 0): its header byte's five unused bits.
    const content = Buffer.from(CSV);
    const stored = deflateRawSync(content, { level: 0 });
    expect(stored[0]).toBe(0x01); // BFINAL=1, BTYPE=00, the rest zero
    const reencoded = recordFromDeflated('controls.csv', stored, content, records[1]);
    const clean = await verifyPack(write('stored.zip', joinZip([records[0], reencoded, ...records.slice(2)])), publicKeyPem);
    // Same bytes inflated, headers as PackWriter writes them: the members are what was signed.
    expect(clean).toMatchObject({ ok: true });
    const tampered = Buffer.from(stored);
    tampered[0] |= 0x08;
    expect(inflateRawSync(tampered).equals(content), 'zlib ignores the bit').toBe(true);
    const t = await verifyPack(
      write('stored-bit.zip', joinZip([records[0], recordFromDeflated('controls.csv', tampered, content, records[1]), ...records.slice(2)])),
      publicKeyPem,
    );
    expect(t.ok).toBe(false);
    expect(t.problems).toContain('controls.csv: unreadable (bits set in a stored block header)');
  });

  it("a pack whose writing spans more than the ZIP timestamps' 2 seconds still verifies (one time for every header)", async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-01T10:00:00Z') });
    try {
      const file = path.join(dir, 'slow.zip');
      const writer = new PackWriter(createWriteStream(file), createScanner({ secret: 'verify-test-secret-0123456789abcdef' }));
      await writer.add('controls.csv', [CSV]);
      vi.setSystemTime(new Date('2026-11-01T10:00:07Z'));
      await writer.add('public-key.pem', [publicKeyPem]);
      const manifestBytes = Buffer.from(
        JSON.stringify({ format: 'tenet-pack/1', profile: 'sp-api', period: { from: 'a', to: 'b' }, signingKeyId: keyId(publicKeyPem), files: writer.files }),
      );
      await writer.add('manifest.json', [manifestBytes], { scanText: false });
      await writer.add('manifest.sig', [sign(null, manifestBytes, privateKey).toString('base64')]);
      vi.setSystemTime(new Date('2026-11-01T10:01:00Z'));
      await writer.finish();
      expect(await verifyPack(file, publicKeyPem)).toMatchObject({ ok: true, problems: [] });
    } finally {
      vi.useRealTimers();
    }
  });

  it('a member too large to read whole is streamed, and checked as strictly', async () => {
    // Random bytes do not compress: fflate stores them, 1.5 MB of data in stored blocks, past the in-memory limit.
    const big = randomBytes(1_500_000);
    const bigFile = path.join(dir, 'big.zip');
    const bigPack = await writePack(bigFile, [...MEMBERS, ['report.pdf', big]]);
    const whole = await verifyPack(bigFile, publicKeyPem);
    expect(whole.problems).toEqual([]);
    const recs = splitZip(bigPack);
    const pdf = recs.findIndex((r) => r.name === 'report.pdf');
    const base = recs.slice(0, pdf).reduce((n, r) => n + r.local.length, 0);
    const { start, end } = dataRange(recs[pdf]);
    for (const offset of [start, start + 1, start + 5, Math.floor((start + end) / 2), end - 2, end - 1]) {
      const bytes = Buffer.from(bigPack);
      bytes[base + offset] ^= 0x08;
      const r = await verifyPack(write('big-flip.zip', bytes), publicKeyPem);
      expect(r.ok, `offset ${offset}`).toBe(false);
      expect(
        r.problems.some((p) => p.startsWith('report.pdf: ')),
        `offset ${offset}: ${r.problems.join('; ')}`,
      ).toBe(true);
    }
  });
});

describe('readPackMember', () => {
  it('reads one member with the same strict reader: none when corrupt, doubled or absent', async () => {
    expect((await readPackMember(packFile, 'controls.csv'))?.toString()).toBe(CSV);
    const csv = records[1];
    const { start } = dataRange(csv);
    const corrupt = Buffer.from(pack);
    corrupt[pack.indexOf(csv.local) + start] ^= 0xff;
    expect(await readPackMember(write('member-corrupt.zip', corrupt), 'controls.csv')).toBeUndefined();
    expect(await readPackMember(write('member-dup.zip', joinZip([...records, records[1]])), 'controls.csv')).toBeUndefined();
    expect(await readPackMember(packFile, 'nothing.txt')).toBeUndefined();
    expect(await readPackMember(write('member-short.zip', pack.subarray(0, 100)), 'manifest.json')).toBeUndefined();
    await expect(readPackMember(path.join(dir, 'no-such.zip'), 'manifest.json')).rejects.toThrow(PackFileError);
  });
});

describe('DeflateWalker', () => {
  it('accepts every stream zlib (levels 0-9) and fflate (levels 0-9) write, pushed whole or in small pieces', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    const inputs = [
      Buffer.alloc(0),
      Buffer.from('a'),
      Buffer.from(CSV.repeat(40)),
      randomBytes(70_000),
      Buffer.from(Array.from({ length: 50_000 }, () => 'abcdefgh'[Math.floor(rnd() * 8)]).join('')),
    ];
    for (const input of inputs) {
      for (let level = 0; level <= 9; level++) {
        for (const deflated of [deflateRawSync(input, { level }), fflateDeflate(input, { level: level as 0 })]) {
          new DeflateWalker().push(deflated, true);
          const w = new DeflateWalker();
          for (let i = 0; i < deflated.length; i += 7) w.push(deflated.subarray(i, i + 7), i + 7 >= deflated.length);
          if (deflated.length === 0) w.push(deflated, true);
        }
      }
    }
  });

  it('says what is wrong rather than throwing anything else, whatever the bytes', () => {
    for (let n = 0; n < 2000; n++) {
      const bytes = randomBytes(1 + (n % 64));
      try {
        new DeflateWalker().push(bytes, true);
      } catch (error) {
        expect(error).toBeInstanceOf(WalkError);
      }
    }
  });
});
