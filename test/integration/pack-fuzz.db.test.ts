import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { buildDemoSnapshot } from '../../engine/demo/demo-environment.ts';
import { verify } from '../../engine/main/commands/pack.ts';
import { keyId } from '../../evidence/ledger/signing.ts';
import { readPackMember, verifyPack } from '../../evidence/packs/verify-pack.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { dataRange, joinZip, recordFromDeflated, renamed, splitZip, type ZipRecord } from '../helpers/zip-surgery.ts';

/**
 * Pack fuzz: seeded corruptions of a real pack (built once through the API, as an auditor would download it), each
 * checked by `tenet verify`'s own function, in-process. It passes when no corruption crashes verify or makes it say
 * valid. PACK_FUZZ_SEED repeats a run, PACK_FUZZ_RUNS sets the count (`npm run bench -- pack-fuzz` runs more).
 */
const SEED = Number(process.env.PACK_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const RUNS = Number(process.env.PACK_FUZZ_RUNS ?? 2000);

const dir = mkdtempSync(path.join(tmpdir(), 'tenet-pack-fuzz-'));
let t: TestApp;
let pack: Buffer;
let keyFile: string;
let keyListFile: string;
let publicKeyPem: string;

beforeAll(async () => {
  const settings = { snapshots: [path.join(dir, 'snapshot.json')], packs: { organisation: 'Astrix' } };
  writeFileSync(settings.snapshots[0], JSON.stringify(buildDemoSnapshot()));
  t = await startTestApp({ controls: { settings } });
  await t.controls!.runNow([...CONTROLS_BY_ID.keys()], { trigger: 'manual' });
  const built = await t.call('/v1/packs', {
    role: 'auditor',
    body: { profile: 'sp-api', from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() },
  });
  expect([built.status, built.body.error?.message]).toEqual([201, undefined]);
  const res = await fetch(`${t.url}/v1/packs/${built.body.id}/download`, { headers: { authorization: `Bearer ${t.keys.auditor}` } });
  pack = Buffer.from(await res.arrayBuffer());
  const file = path.join(dir, 'pack.zip');
  writeFileSync(file, pack);
  publicKeyPem = (await readPackMember(file, 'public-key.pem'))!.toString('utf8');
  keyFile = path.join(dir, 'key.pem');
  writeFileSync(keyFile, publicKeyPem);
  keyListFile = path.join(dir, 'keys.pem');
  writeFileSync(keyListFile, generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString() + publicKeyPem);
}, 300_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** mulberry32: small, seeded, good enough to pick offsets and kinds. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}
type Rng = ReturnType<typeof rng>;

const BAD_NAMES = [
  '../controls.csv',
  '/controls.csv',
  'evidence\\x.json',
  'evidence/../index.html',
  './index.html',
  'a//b',
  '',
  'x\u0000.csv',
  'C:\\pack\\index.html',
  'index.html/',
];

/** Every corruption the issue names, and a few more; each returns the bytes of the damaged pack. */
const KINDS: Record<string, (r: Rng, records: ZipRecord[]) => Buffer> = {
  'flip one byte': (r) => {
    const b = Buffer.from(pack);
    b[r.int(b.length)] ^= 1 + r.int(255);
    return b;
  },
  'flip one bit': (r) => {
    const b = Buffer.from(pack);
    const i = r.int(b.length);
    b[i] ^= 1 << r.int(8);
    return b;
  },
  'flip a byte of compressed data': (r, recs) => {
    const b = Buffer.from(pack);
    const i = r.int(recs.length);
    const at = recs.slice(0, i).reduce((n, x) => n + x.local.length, 0);
    const { start, end } = dataRange(recs[i]);
    b[at + start + r.int(end - start)] ^= 1 + r.int(255);
    return b;
  },
  'flip several bytes': (r) => {
    const b = Buffer.from(pack);
    for (let n = 2 + r.int(7); n > 0; n--) b[r.int(b.length)] ^= 1 + r.int(255);
    return b;
  },
  truncate: (r) => pack.subarray(0, r.int(pack.length)),
  'append bytes': (r) => Buffer.concat([pack, Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256)))]),
  'prepend bytes': (r) => Buffer.concat([Buffer.from(Array.from({ length: 1 + r.int(64) }, () => r.int(256))), pack]),
  'duplicate a member': (r, recs) => {
    const list = [...recs];
    list.splice(r.int(list.length + 1), 0, r.pick(recs));
    return joinZip(list);
  },
  'unsigned copy of a member first': (r, recs) => {
    const victim = r.pick(recs);
    const text = Buffer.from(`forged ${victim.name} ${r.int(1e9)}\n`);
    return joinZip([recordFromDeflated(victim.name, deflateRawSync(text), text, victim), ...recs]);
  },
  'reorder members': (r, recs) => {
    const list = [...recs];
    const i = r.int(list.length);
    let j = r.int(list.length - 1);
    if (j >= i) j++;
    [list[i], list[j]] = [list[j], list[i]];
    return joinZip(list);
  },
  'rename a member': (r, recs) => {
    const list = [...recs];
    const i = r.int(list.length);
    const name =
      r.next() < 0.5
        ? r.pick(BAD_NAMES)
        : r.pick([list[i].name.toUpperCase(), `${list[i].name}.bak`, `evidence/renamed-${r.int(100)}.json`, r.pick(recs).name]);
    list[i] = renamed(list[i], name === list[i].name ? `${name}~` : name);
    return joinZip(list);
  },
  'drop a member': (r, recs) => {
    const list = [...recs];
    list.splice(r.int(list.length), 1);
    return joinZip(list);
  },
  'add a member': (r, recs) => {
    const list = [...recs];
    const text = Buffer.from('{"note":"added later"}');
    list.splice(
      r.int(list.length + 1),
      0,
      recordFromDeflated(r.next() < 0.5 ? `evidence/added-${r.int(100)}.json` : r.pick(BAD_NAMES) || 'x', deflateRawSync(text), text, recs[0]),
    );
    return joinZip(list);
  },
  'replace a member, same headers': (r, recs) => {
    const list = [...recs];
    const i = r.int(list.length);
    const text = Buffer.from(`replaced ${r.int(1e9)}\n`);
    list[i] = recordFromDeflated(list[i].name, deflateRawSync(text), text, list[i]);
    return joinZip(list);
  },
  'forge the manifest': (r, recs) => {
    const list = [...recs];
    const i = list.findIndex((x) => x.name === 'manifest.json');
    const manifest = JSON.parse(manifestText);
    const edit = r.int(4);
    if (edit === 0) manifest.period.from = '2020-01-01T00:00:00.000Z';
    else if (edit === 1) manifest.files[r.int(manifest.files.length)].sha256 = 'f'.repeat(64);
    else if (edit === 2) manifest.files.pop();
    else manifest.profile = 'google';
    const text = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    list[i] = recordFromDeflated('manifest.json', deflateRawSync(text), text, list[i]);
    return joinZip(list);
  },
  'edit a member and its manifest entry, re-signed with another key': (r, recs) => {
    // A forger's own key, and their public-key.pem in the pack: caught by the key given to verify.
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const theirPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const list = [...recs];
    const manifest = JSON.parse(manifestText);
    const replace = (name: string, text: Buffer) => {
      const i = list.findIndex((x) => x.name === name);
      list[i] = recordFromDeflated(name, deflateRawSync(text), text, list[i]);
      const f = manifest.files.find((x: { path: string }) => x.path === name);
      if (f) Object.assign(f, { sha256: sha256(text), size: text.length });
    };
    const victim = r.pick(recs.filter((x) => !['manifest.json', 'manifest.sig', 'public-key.pem'].includes(x.name)));
    replace(victim.name, Buffer.from(`all controls pass ${r.int(1e9)}\n`));
    replace('public-key.pem', Buffer.from(theirPem));
    manifest.signingKeyId = keyId(theirPem);
    const mtext = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
    const m = list.findIndex((x) => x.name === 'manifest.json');
    list[m] = recordFromDeflated('manifest.json', deflateRawSync(mtext), mtext, list[m]);
    const sig = Buffer.from(sign(null, mtext, privateKey).toString('base64') + '\n');
    const s = list.findIndex((x) => x.name === 'manifest.sig');
    list[s] = recordFromDeflated('manifest.sig', deflateRawSync(sig), sig, list[s]);
    return joinZip(list);
  },
};
let manifestText: string;

/**
 * Whether `bytes` is the pack to every reader: the same members in the same order, each inflating (through zlib, not
 * Tenet's reader) to the same bytes as the downloaded pack's.
 */
function sameContent(bytes: Buffer, original: ZipRecord[]): boolean {
  let records: ZipRecord[];
  try {
    records = splitZip(bytes);
  } catch {
    return false;
  }
  const inflate = (r: ZipRecord) => {
    const { start, end } = dataRange(r);
    return inflateRawSync(r.local.subarray(start, end));
  };
  try {
    return records.length === original.length && records.every((r, i) => r.name === original[i].name && inflate(r).equals(inflate(original[i])));
  } catch {
    return false;
  }
}
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

it(
  `${RUNS} seeded corruptions of a real pack: verify never crashes, and never says valid while a member inflates to other bytes`,
  async () => {
    console.log(`pack fuzz: seed ${SEED} (PACK_FUZZ_SEED=${SEED} repeats this run), ${RUNS} runs, pack of ${pack.length} bytes`);
    const records = splitZip(pack);
    manifestText = (await readPackMember(path.join(dir, 'pack.zip'), 'manifest.json'))!.toString('utf8');
    // The pack as downloaded is valid, through the same function: otherwise every "NOT valid" below means nothing.
    expect(await verifyPack(path.join(dir, 'pack.zip'), publicKeyPem)).toMatchObject({ ok: true, problems: [] });
    const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      for (const args of [[keyFile], [keyListFile], []])
        expect(await verify([path.join(dir, 'pack.zip'), ...(args.length ? ['--public-key', ...args] : [])])).toBe(0);
    } finally {
      quiet.mockRestore();
    }
    expect(joinZip(records).equals(pack)).toBe(true);

    const r = rng(SEED);
    const names = Object.keys(KINDS);
    const counts: Record<string, number> = {};
    const file = path.join(dir, 'fuzzed.zip');
    const out: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
    let sameInside = 0;
    const started = performance.now();
    try {
      for (let run = 0; run < RUNS; run++) {
        const kind = names[r.int(names.length)];
        const bytes = KINDS[kind](r, records);
        if (bytes.equals(pack)) continue; // a flip of a byte with itself cannot happen (mask ≥ 1); kept for safety
        counts[kind] = (counts[kind] ?? 0) + 1;
        writeFileSync(file, bytes);
        // The key an auditor downloaded (one PEM, or a key list in which verify picks the one the manifest names)
        // for most runs; the pack's own key for some (any edit still fails then, except a complete re-signing,
        // which only a given key can catch).
        const keyChoice = r.next();
        const args =
          keyChoice < 0.5 || kind.includes('re-signed') ? [file, '--public-key', keyFile] : keyChoice < 0.75 ? [file, '--public-key', keyListFile] : [file];
        out.length = 0;
        let code: number;
        try {
          code = await verify(args);
        } catch (error) {
          throw new Error(`seed ${SEED}, run ${run} (${kind}): verify threw ${(error as Error).stack}`);
        }
        // Deflate has encodings that differ in a bit and inflate to the same bytes (a match distance moved to an
        // identical earlier run): that pack holds what was signed, to every reader, and "valid" is the right answer.
        if (code === 0 && sameContent(bytes, records)) {
          sameInside++;
          continue;
        }
        if (code !== 1 || !out[0]?.includes(': NOT valid — ')) {
          writeFileSync(path.join(tmpdir(), `pack-fuzz-${SEED}-${run}.zip`), bytes);
          throw new Error(`seed ${SEED}, run ${run} (${kind}): exit ${code}: ${out.join(' | ')} (pack kept in ${tmpdir()}/pack-fuzz-${SEED}-${run}.zip)`);
        }
      }
    } finally {
      log.mockRestore();
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `pack fuzz: ${RUNS} runs in ${seconds.toFixed(1)} s, none crashed, none valid but ${sameInside} whose every member still inflates to ` +
        `the signed bytes (another deflate encoding of the same content); by kind: ${JSON.stringify(counts)}`,
    );
    expect(sameInside).toBeLessThan(RUNS / 100);
    expect(Object.keys(counts).length).toBe(names.length);
  },
  Math.max(600_000, RUNS * 100),
);

it('a bit deflate reads the same way: every member still inflates to the signed bytes, and verify says valid', async () => {
  // Found by trying every bit of the members' compressed data in turn: the first flip after which zlib inflates the
  // member to the same bytes and verify's walker sees nothing out of place (a match distance moved onto identical
  // earlier bytes). Such a pack is the downloaded one to every reader.
  const records = splitZip(pack);
  const file = path.join(dir, 'same-inside.zip');
  let at = 0;
  for (const rec of records) {
    const { start, end } = dataRange(rec);
    const data = rec.local.subarray(start, end);
    const want = inflateRawSync(data);
    for (let bit = 0; bit < (end - start) * 8; bit++) {
      const flipped = Buffer.from(data);
      flipped[bit >> 3] ^= 1 << (bit & 7);
      let same: boolean;
      try {
        same = inflateRawSync(flipped).equals(want);
      } catch {
        same = false;
      }
      if (!same) continue;
      const bytes = Buffer.from(pack);
      bytes[at + start + (bit >> 3)] ^= 1 << (bit & 7);
      writeFileSync(file, bytes);
      const r = await verifyPack(file, publicKeyPem);
      if (!r.ok) continue; // a bit deflate ignores after a stored block's header or the final block: refused
      expect(bytes.equals(pack)).toBe(false);
      expect(sameContent(bytes, records)).toBe(true);
      console.log(`same inside: ${rec.name}, compressed byte ${bit >> 3}, bit ${bit & 7}`);
      return;
    }
    at += rec.local.length;
  }
  throw new Error('no bit of the pack inflates the same way: this test no longer shows what the docs say');
}, 120_000);
