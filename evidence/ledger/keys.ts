import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Db } from '../../engine/db/database.ts';
import { deleteInstallSecrets, readInstallSecrets } from '../../engine/db/install-secrets.ts';
import { algorithmOf, keyId, type SignatureAlgorithm, type Signer } from './signing.ts';

/**
 * Tenet's keys — the pack/checkpoint signing key and the PII scanner's fingerprint key — come from configuration,
 * never from a table: whoever can read the database must not be able to sign packs, and whoever can write it must
 * not be able to forge checkpoints. Sources, first match wins:
 *   1. TENET_KEYS: the key set as JSON (e.g. injected from AWS Secrets Manager into the container's environment);
 *   2. the key file TENET_KEY_FILE (default <TENET_DATA_DIR>/keys.json), mode 0600, created on first start.
 * TENET_SIGNING_KMS_KEY_ID replaces the local signing key with an AWS KMS key (evidence/ledger/kms-signer.ts), and
 * TENET_SCANNER_SECRET overrides the scanner key. Replicas share keys by being given the same key set.
 */

const KEY_SET_FORMAT = 'tenet-keys/1';

const keySetSchema = z
  .object({
    format: z.literal(KEY_SET_FORMAT),
    /** the current signing key, PKCS#8 PEM (Ed25519); absent when a KMS key signs */
    signingKey: z.string().min(1).optional(),
    /** public keys signatures were made with before a rotation: old packs and checkpoints still verify */
    retiredKeys: z.array(z.object({ keyId: z.string(), publicKeyPem: z.string(), retiredAt: z.string() }).strict()).default([]),
    scannerSecret: z.string().min(32, 'must be at least 32 characters').optional(),
  })
  .strict();

export type KeySet = z.infer<typeof keySetSchema>;

export interface PublicKeyEntry {
  keyId: string;
  algorithm: SignatureAlgorithm;
  publicKeyPem: string;
  status: 'current' | 'retired';
  retiredAt?: string;
}

export interface KeyRing {
  signer: Signer;
  scannerSecret: string;
  /** the current key first, then the retired ones */
  publicKeys: PublicKeyEntry[];
  /** the public key of `keyId`, current or retired */
  publicKey(keyId: string): string | undefined;
  /** where the keys came from, for messages: never a key */
  source: string;
}

/** Signs with an Ed25519 private key held in memory. The key is never logged, sent, or written into a pack. */
export class LocalSigner implements Signer {
  readonly keyId: string;
  readonly publicKeyPem: string;
  readonly algorithm: SignatureAlgorithm;
  private readonly privateKey: KeyObject;

  constructor(privateKeyPem: string) {
    this.privateKey = createPrivateKey(privateKeyPem);
    this.publicKeyPem = createPublicKey(this.privateKey).export({ type: 'spki', format: 'pem' }).toString();
    this.algorithm = algorithmOf(createPublicKey(this.publicKeyPem));
    this.keyId = keyId(this.publicKeyPem);
  }

  async sign(data: Uint8Array): Promise<string> {
    return sign(this.algorithm === 'Ed25519' ? null : 'sha256', data, this.privateKey).toString('base64');
  }
}

export function newSigningKeyPem(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

export function newKeySet(): KeySet {
  return { format: KEY_SET_FORMAT, signingKey: newSigningKeyPem(), retiredKeys: [], scannerSecret: randomBytes(32).toString('hex') };
}

/** Parses a key set (file content or TENET_KEYS); the message names where it came from, never a value. */
function parseKeySet(text: string, where: string): KeySet {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON (expected {"format":"${KEY_SET_FORMAT}", "signingKey": "-----BEGIN PRIVATE KEY-----…", "scannerSecret": "…"})`);
  }
  const parsed = keySetSchema.safeParse(json);
  if (!parsed.success)
    throw new Error(`${where} is not a Tenet key set: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  if (parsed.data.signingKey) {
    try {
      new LocalSigner(parsed.data.signingKey);
    } catch (error) {
      // eslint-disable-next-line preserve-caught-error -- the cause may quote the key material; only its message, cut at the PEM, is kept
      throw new Error(`${where}: signingKey is not a usable private key (${(error as Error).message.replace(/-----BEGIN[\s\S]*/, '')})`);
    }
  }
  return parsed.data;
}

/** Refuses a key file anyone but its owner can read or write: the signing key in it makes packs. */
async function checkKeyFileMode(file: string): Promise<void> {
  const s = await stat(file);
  if (process.platform !== 'win32' && (s.mode & 0o077) !== 0) {
    throw new Error(`key file ${file} is accessible to others (mode ${(s.mode & 0o777).toString(8).padStart(4, '0')}): run chmod 600 ${file}`);
  }
}

async function readKeyFile(file: string): Promise<KeySet | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  await checkKeyFileMode(file);
  return parseKeySet(text, `key file ${file}`);
}

/**
 * Writes a key set durably: a temporary file (mode 0600) fsynced, renamed over the old one, the directory fsynced.
 * `exclusive` refuses to replace an existing file (first start: two processes racing must not each make a key).
 */
async function writeKeyFile(file: string, set: KeySet, props: { exclusive?: boolean } = {}): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const body = JSON.stringify(set, null, 2) + '\n';
  if (props.exclusive) {
    const fh = await open(file, 'wx', 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
  } else {
    const tmp = `${file}.${process.pid}.tmp`;
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(body);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  }
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } catch {
    // Some filesystems cannot fsync a directory; the file itself is synced.
  } finally {
    await d.close();
  }
}

/** The default place of the key file: the data directory. */
const defaultKeyFile = (config: { TENET_DATA_DIR: string; TENET_KEY_FILE?: string }) =>
  path.resolve(config.TENET_KEY_FILE ?? path.join(config.TENET_DATA_DIR, 'keys.json'));

export interface KeyConfig {
  TENET_DATA_DIR: string;
  TENET_KEY_FILE?: string;
  TENET_KEYS?: string;
  TENET_SIGNING_KMS_KEY_ID?: string;
  TENET_SCANNER_SECRET?: string;
  DATABASE_URL?: string;
}

/**
 * Loads this process's keys. With a database handle it also moves keys an older Tenet kept in `install_secrets`
 * into the key file (once: the rows are deleted after the file is fsynced), and records the signing key's public
 * half in `signing_keys` so a replica started without the shared key is stopped instead of signing with a new one.
 */
export async function loadKeyRing(props: {
  config: KeyConfig;
  db?: Db;
  logger?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** makes the KMS signer (evidence/ledger/kms-signer.ts); injected so tests can point it at the loopback server */
  kmsSigner?: (keyId: string) => Promise<Signer>;
}): Promise<KeyRing> {
  const { config, db, logger } = props;
  const file = defaultKeyFile(config);
  let set: KeySet | undefined;
  let source: string;
  const legacy = db ? await readInstallSecrets(db) : {};
  const hasLegacy = Boolean(legacy.signingKey || legacy.scannerSecret);
  if (config.TENET_KEYS) {
    set = parseKeySet(config.TENET_KEYS, 'TENET_KEYS');
    source = 'TENET_KEYS';
    if (hasLegacy) {
      // Deleting the rows would lose the key old packs were signed with; writing TENET_KEYS is not ours to do.
      const id = legacy.signingKey ? ` (key id ${new LocalSigner(legacy.signingKey).keyId})` : '';
      throw new Error(
        `install_secrets still holds the signing key${id} and scanner key this install used; start Tenet once without TENET_KEYS ` +
          `so they are moved into the key file (${file}), then put that file's content into TENET_KEYS`,
      );
    }
  } else {
    source = `key file ${file}`;
    set = await readKeyFile(file);
    let changed = false;
    let created = false;
    if (hasLegacy) {
      const moved = mergeLegacy(set, legacy);
      set = moved.set;
      changed = true;
      logger?.warn(
        { keyFile: file, signingKeyId: moved.signingKeyId, movedScannerKey: Boolean(legacy.scannerSecret) },
        'moved the keys Tenet kept in the database (install_secrets) into the key file; the rows are deleted',
      );
    } else if (!set) {
      if (db && config.DATABASE_URL) {
        // A server database shared by replicas: a second replica must get the shared key, not make its own.
        const known = await db
          .selectFrom('signing_keys')
          .select(['key_id', 'first_seen_at', 'first_seen_by'])
          .orderBy('first_seen_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        if (known) {
          throw new Error(
            `no key file at ${file} and TENET_KEYS is not set, but this database's packs are signed with key ${known.key_id} ` +
              `(first used ${new Date(known.first_seen_at).toISOString()} on ${known.first_seen_by}): give this replica the same keys ` +
              `(copy that key file, or set TENET_KEYS), rather than letting it sign with a new one`,
          );
        }
      }
      set = newKeySet();
      created = true;
    }
    if (!set.scannerSecret && !config.TENET_SCANNER_SECRET) {
      set = { ...set, scannerSecret: randomBytes(32).toString('hex') };
      changed = true;
    }
    if (!set.signingKey && !config.TENET_SIGNING_KMS_KEY_ID) {
      set = { ...set, signingKey: newSigningKeyPem() };
      changed = true;
    }
    if (created) {
      try {
        await writeKeyFile(file, set, { exclusive: true });
        logger?.info({ keyFile: file }, 'created the key file (signing and scanner keys, mode 0600)');
      } catch (error) {
        // Another process made it first: use its keys.
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        set = (await readKeyFile(file))!;
      }
    } else if (changed) {
      await writeKeyFile(file, set);
    }
    if (hasLegacy && db) await deleteInstallSecrets(db);
  }
  let signer: Signer;
  if (config.TENET_SIGNING_KMS_KEY_ID) {
    if (!props.kmsSigner) throw new Error('TENET_SIGNING_KMS_KEY_ID is set but no KMS client was given');
    signer = await props.kmsSigner(config.TENET_SIGNING_KMS_KEY_ID);
  } else {
    if (!set.signingKey) throw new Error(`${source} has no signingKey (and TENET_SIGNING_KMS_KEY_ID is not set)`);
    signer = new LocalSigner(set.signingKey);
  }
  const scannerSecret = config.TENET_SCANNER_SECRET ?? set.scannerSecret;
  if (!scannerSecret) throw new Error(`${source} has no scannerSecret (and TENET_SCANNER_SECRET is not set)`);
  const publicKeys: PublicKeyEntry[] = [
    { keyId: signer.keyId, algorithm: signer.algorithm, publicKeyPem: signer.publicKeyPem, status: 'current' },
    ...set.retiredKeys
      .filter((k) => k.keyId !== signer.keyId)
      .map((k) => ({
        keyId: keyId(k.publicKeyPem),
        algorithm: algorithmOf(createPublicKey(k.publicKeyPem)),
        publicKeyPem: k.publicKeyPem,
        status: 'retired' as const,
        retiredAt: k.retiredAt,
      })),
  ];
  if (db) {
    await db
      .insertInto('signing_keys')
      .values({ key_id: signer.keyId, public_key_pem: signer.publicKeyPem, algorithm: signer.algorithm, first_seen_by: hostname() })
      .onConflict((oc) => oc.column('key_id').doNothing())
      .execute();
  }
  const byId = new Map(publicKeys.map((k) => [k.keyId, k.publicKeyPem]));
  return { signer, scannerSecret, publicKeys, publicKey: (id) => byId.get(id), source };
}

/** The key set with the database's old keys in it: the old signing key stays current unless the file had one. */
function mergeLegacy(set: KeySet | undefined, legacy: { signingKey?: string; scannerSecret?: string }): { set: KeySet; signingKeyId?: string } {
  const base: KeySet = set ?? { format: KEY_SET_FORMAT, retiredKeys: [] };
  const legacySigner = legacy.signingKey ? new LocalSigner(legacy.signingKey) : undefined;
  let next: KeySet = { ...base, scannerSecret: base.scannerSecret ?? legacy.scannerSecret };
  if (legacySigner) {
    if (!base.signingKey) next = { ...next, signingKey: legacy.signingKey };
    else if (new LocalSigner(base.signingKey).keyId !== legacySigner.keyId && !base.retiredKeys.some((k) => k.keyId === legacySigner.keyId)) {
      // The file already had another key: packs signed with the database's key must still verify.
      next = {
        ...next,
        retiredKeys: [...base.retiredKeys, { keyId: legacySigner.keyId, publicKeyPem: legacySigner.publicKeyPem, retiredAt: new Date().toISOString() }],
      };
    }
  }
  return { set: next, signingKeyId: legacySigner?.keyId };
}

/**
 * Rotation: the current signing key's public half joins `retiredKeys` (so everything it signed still verifies), a
 * new Ed25519 key becomes current. Only for the key file: keys given in TENET_KEYS are rotated where they are kept.
 */
export async function rotateKeyFile(config: KeyConfig, now = new Date()): Promise<{ file: string; oldKeyId?: string; newKeyId: string }> {
  if (config.TENET_KEYS)
    throw new Error('the keys come from TENET_KEYS: rotate them where that value is kept (add the old public key to retiredKeys, put a new signingKey)');
  const file = defaultKeyFile(config);
  const set = await readKeyFile(file);
  if (!set) throw new Error(`no key file at ${file} to rotate`);
  const old = set.signingKey ? new LocalSigner(set.signingKey) : undefined;
  const signingKey = newSigningKeyPem();
  const next: KeySet = {
    ...set,
    signingKey,
    retiredKeys:
      old && !set.retiredKeys.some((k) => k.keyId === old.keyId)
        ? [...set.retiredKeys, { keyId: old.keyId, publicKeyPem: old.publicKeyPem, retiredAt: now.toISOString() }]
        : set.retiredKeys,
  };
  await writeKeyFile(file, next);
  return { file, oldKeyId: old?.keyId, newKeyId: new LocalSigner(signingKey).keyId };
}
