import { generateKeyPairSync, sign } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createScanner } from '../../engine/scanner/scanner.ts';
import { dataRange, joinZip, splitZip } from '../../test/helpers/zip-surgery.ts';
import type { PackManifest } from './build-pack.ts';
import { PackWriter } from './pack-writer.ts';
import { keyId } from '../ledger/signing.ts';
import { readPackManifest, verifyPackChain } from './verify-chain.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'tenet-verify-chain-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small pack as build-pack lays it out: evidence, the public key, the manifest (naming a checkpoint) and its signature. */
async function writePack(file: string): Promise<PackManifest> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const writer = new PackWriter(createWriteStream(file), createScanner({ secret: 'verify-chain-test-secret-0123456789' }));
  const records = Array.from({ length: 40 }, (_, i) => JSON.stringify({ seq: i + 1, hash: 'ab'.repeat(32), payload: { buckets: i } }));
  await writer.add('evidence/storage.s3-encryption.json', ['[\n' + records.join(',\n') + '\n]\n']);
  await writer.add('public-key.pem', [pem]);
  const manifest = {
    format: 'tenet-pack/1',
    generatedAt: '2026-11-01T00:00:00.000Z',
    signingKeyId: keyId(pem),
    checkpoint: { seq: 40, hash: 'cd'.repeat(32), createdAt: '2026-11-01T00:00:00.000Z' },
    chainHead: { seq: 40, hash: 'ab'.repeat(32) },
    files: writer.files,
  };
  const bytes = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  await writer.add('manifest.json', [bytes], { scanText: false });
  await writer.add('manifest.sig', [sign(null, bytes, privateKey).toString('base64') + '\n']);
  await writer.finish();
  return manifest as unknown as PackManifest;
}

describe('verify --chain reads packs with the strict reader', () => {
  // It once used fflate's stream parser, whose errors are thrown from inside its callbacks: one flipped byte in a
  // compressed member crashed the process with an uncaught `invalid distance` instead of naming the member.
  it('a byte flipped anywhere in manifest.json or an evidence file never crashes reading or checking the pack', async () => {
    const file = path.join(dir, 'pack.zip');
    const manifest = await writePack(file);
    expect((await readPackManifest(file))?.signingKeyId).toBe(manifest.signingKeyId);
    const original = readFileSync(file);
    const records = splitZip(original);
    let tried = 0;
    for (const name of ['manifest.json', 'evidence/storage.s3-encryption.json']) {
      const index = records.findIndex((r) => r.name === name);
      const { start, end } = dataRange(records[index]);
      for (let at = start; at < end; at++) {
        const damaged = records.map((r, i) => (i === index ? { ...r, local: Buffer.from(r.local) } : r));
        damaged[index].local[at] ^= 0x5a;
        const bad = path.join(dir, 'bad.zip');
        writeFileSync(bad, joinZip(damaged));
        // A damaged manifest is unreadable (undefined) or reads as JSON; it never throws.
        await readPackManifest(bad);
        // Checking the damaged pack against a checkpoint log answers or rejects with an error naming the problem.
        const outcome = await verifyPackChain({ file: bad, manifest, checkpointsText: '', checkpointsName: 'checkpoints.jsonl' }).then(
          (r) => (r.ok ? 'ok' : 'not ok'),
          (e: Error) => `error: ${e.message}`,
        );
        expect(outcome).not.toBe('ok');
        tried++;
      }
    }
    expect(tried).toBeGreaterThan(100);
  });
});
