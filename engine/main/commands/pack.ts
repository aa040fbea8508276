import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { parse } from './args.ts';
import type { Config } from '../../kernel/config.ts';
import { createAuthz } from '../../authz/create-authz.ts';
import { openDatabase } from '../../db/database.ts';
import { createLogger } from '../../kernel/logger.ts';
import { SHIPPED_POLICY_DIR } from '../../kernel/version.ts';
import { CONTROLS_BY_ID } from '../../../controls/catalogue/index.ts';
import { loadControlSettings } from '../../../controls/settings.ts';
import { buildPack, periodProblem } from '../../../evidence/packs/build-pack.ts';
import { makePackDeps } from '../../../evidence/packs/pack-deps.ts';
import { readPackMember, verifyPack } from '../../../evidence/packs/verify-pack.ts';
import { EvidenceStore } from '../../../evidence/ledger/evidence-store.ts';
import { checkpointSinks, kmsSigner, setupEvidenceAnchoring } from '../../../evidence/ledger/anchoring.ts';
import { refOf } from '../../../evidence/ledger/checkpoints.ts';
import { loadKeyRing, rotateKeyFile } from '../../../evidence/ledger/keys.ts';
import { verifyPackChain } from '../../../evidence/packs/verify-chain.ts';
import { keyId, parsePublicKeys, selectPublicKey } from '../../../evidence/ledger/signing.ts';
import { verifyEvidence } from '../../../evidence/ledger/verify-evidence.ts';

const DAY = 86_400_000;

function date(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`--${flag} must be a date (2026-11-01 or an ISO timestamp)`);
  return d;
}

/** tenet pack --profile sp-api|google [--from DATE] [--to DATE] [--internal] --out FILE.zip */
export async function pack(args: string[], ctx: { config: () => Config }): Promise<number> {
  const { values } = parse(args, {
    profile: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    out: { type: 'string' },
    internal: { type: 'boolean' },
  });
  if (values.profile !== 'sp-api' && values.profile !== 'google') throw new Error('--profile must be sp-api or google');
  if (!values.out) throw new Error('--out FILE.zip is required');
  const to = date('to', values.to) ?? new Date();
  const from = date('from', values.from) ?? new Date(to.getTime() - 90 * DAY);
  const problem = periodProblem(from, to);
  if (problem) throw new Error(problem);
  const config = ctx.config();
  const logger = createLogger({ level: 'warn', format: config.LOG_FORMAT });
  const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR });
  const partial = `${values.out}.partial`;
  try {
    const authz = await createAuthz({ db: h.db, logger, config, policyDir: config.TENET_POLICY_DIR ?? SHIPPED_POLICY_DIR });
    try {
      const { keys, checkpoints } = await setupEvidenceAnchoring({ config, db: h.db, logger });
      const deps = await makePackDeps({
        db: h.db,
        authz,
        settings: loadControlSettings(config.TENET_CONFIG_FILE),
        catalogue: CONTROLS_BY_ID,
        keys,
        checkpoint: async () => {
          const c = await checkpoints.create('pack');
          return c ? refOf(c) : undefined;
        },
      });
      const started = performance.now();
      const manifest = await buildPack(deps, { profile: values.profile, from, to, internal: values.internal ?? false, out: createWriteStream(partial) });
      await rename(partial, values.out);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `${values.out}: ${values.profile} pack${values.internal ? ' (internal edition, with remediation notes: not for a reviewer)' : ''}, ${from.toISOString()} to ${to.toISOString()}, ${manifest.files.length} files, built in ${seconds} s, signed with key ${manifest.signingKeyId}${manifest.checkpoint ? `, covered by the checkpoint of ${manifest.checkpoint.createdAt} (record ${manifest.checkpoint.seq})` : ''}`,
      );
      return 0;
    } finally {
      await authz.close();
    }
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await h.close();
  }
}

/** The key id a pack's manifest names, read by verify's own strict reader (a damaged pack must not crash this). */
function signingKeyIdOf(manifest: Buffer | undefined): string | undefined {
  try {
    const id = manifest ? (JSON.parse(manifest.toString('utf8')) as { signingKeyId?: unknown }).signingKeyId : undefined;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}

/** tenet verify FILE.zip [--public-key FILE] [--chain CHECKPOINTS] */
export async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { 'public-key': { type: 'string' }, chain: { type: 'string' } }, true);
  if (positionals.length !== 1) throw new Error('usage: tenet verify FILE.zip [--public-key FILE] [--chain CHECKPOINTS.jsonl]');
  const keysText = values['public-key'] ? await readFile(values['public-key'], 'utf8') : undefined;
  const file = positionals[0];
  // A key list (GET /v1/packs/public-keys, or several PEMs): the key the manifest names is the one to check with.
  let key = keysText;
  if (keysText && parsePublicKeys(keysText).length !== 1) {
    key = selectPublicKey(keysText, signingKeyIdOf(await readPackMember(file, 'manifest.json')));
    if (!key) {
      console.log(`${file}: NOT valid — none of the public keys in ${values['public-key']} is the one the pack names`);
      return 1;
    }
  }
  const r = await verifyPack(file, key);
  let chainOk = true;
  if (r.ok && values.chain) {
    const c = await verifyPackChain({
      file,
      manifest: r.manifest!,
      checkpointsText: await readFile(values.chain, 'utf8'),
      checkpointsName: values.chain,
      publicKeysText: keysText,
    });
    chainOk = c.ok;
    if (c.ok) {
      console.log(
        `${file}: the pack's checkpoint (record ${r.manifest!.checkpoint!.seq}, ${r.manifest!.checkpoint!.createdAt}) is in ${values.chain}, and the newest checkpoint there (record ${c.latest!.seq}, ${c.latest!.createdAt}) still holds the pack's ${c.anchored} evidence records unchanged`,
      );
    } else {
      console.log(`${file}: NOT consistent with ${values.chain}`);
      for (const p of c.problems.slice(0, 50)) console.log(`  ${p}`);
      if (c.problems.length > 50) console.log(`  … and ${c.problems.length - 50} more`);
    }
    for (const n of c.notes) console.log(`note: ${n}`);
  }
  if (r.ok) {
    console.log(
      `${file}: valid — ${r.manifest!.files.length} files match the signed manifest (${r.manifest!.profile}${r.manifest!.internal ? ', internal edition: not for a reviewer' : ''}, ${r.manifest!.period.from} to ${r.manifest!.period.to})`,
    );
    if (r.keySource === 'pack')
      console.log('note: checked against the public key inside the pack; pass --public-key (GET /v1/packs/public-keys) to check who signed it');
    return chainOk ? 0 : 1;
  }
  // The first problem on the verdict's line (what a reader sees first), any others below it.
  console.log(`${file}: NOT valid — ${r.problems[0]}`);
  for (const p of r.problems.slice(1)) console.log(`  ${p}`);
  return 1;
}

/**
 * tenet evidence verify | rotate-key | public-keys
 * - verify [--public-key KEYS]: walks the evidence chain and compares it with every signed checkpoint, outside the
 *   database first; with --public-key (a PEM or the GET /v1/packs/public-keys JSON) no key set is needed.
 * - rotate-key: a new signing key in the key file; the old public key stays listed so what it signed still verifies.
 * - public-keys: the public keys (current and retired) as JSON, as GET /v1/packs/public-keys serves them.
 */
export async function evidence(args: string[], ctx: { config: () => Config }): Promise<number> {
  const usage = 'usage: tenet evidence verify [--public-key KEYS] | rotate-key | public-keys';
  const config = ctx.config();
  if (args[0] === 'rotate-key') {
    if (args.length > 1) throw new Error(usage);
    const r = await rotateKeyFile(config);
    console.log(
      `${r.file}: new signing key ${r.newKeyId}${r.oldKeyId ? `; ${r.oldKeyId} is retired and stays listed, so what it signed still verifies` : ''}. Restart every replica with this file (replicas share it).`,
    );
    return 0;
  }
  if (args[0] !== 'verify' && args[0] !== 'public-keys') throw new Error(usage);
  // An auditor checks with public keys only (the GET /v1/packs/public-keys list): no signing key needed.
  const { values, positionals } = parse(args.slice(1), { 'public-key': { type: 'string' } }, true);
  if (positionals.length || (args[0] === 'public-keys' && values['public-key']))
    throw new Error('usage: tenet evidence verify [--public-key KEYS] | rotate-key | public-keys');
  const given = values['public-key'] ? parsePublicKeys(await readFile(values['public-key'], 'utf8')) : undefined;
  if (given && !given.length) throw new Error(`${values['public-key']} holds no public key (PEM, or the JSON of GET /v1/packs/public-keys)`);
  const logger = createLogger({ level: 'warn', format: config.LOG_FORMAT });
  const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR });
  try {
    let publicKey: (id: string) => string | undefined;
    if (given) {
      const byId = new Map(given.map((k) => [keyId(k), k]));
      publicKey = (id) => byId.get(id);
    } else {
      const keys = await loadKeyRing({ config, db: h.db, logger, kmsSigner });
      if (args[0] === 'public-keys') {
        console.log(JSON.stringify({ current: keys.signer.keyId, keys: keys.publicKeys }, null, 2));
        return 0;
      }
      publicKey = keys.publicKey;
    }
    const r = await verifyEvidence({ db: h.db, store: new EvidenceStore(h.db), publicKey, sinks: await checkpointSinks(config) });
    if (r.ok && r.chain.ok) {
      const c = r.chain;
      const anchor = r.latestExternal
        ? `; checked against the checkpoint of ${r.latestExternal.createdAt} (record ${r.latestExternal.seq}, ${r.latestExternal.where.join(' and ')})`
        : '';
      console.log(
        `evidence chain valid: ${c.count} records${c.from ? ` from the signed checkpoint at ${c.from - 1}` : ''}${c.head ? `, head ${c.head}` : ''}${anchor}`,
      );
      for (const n of r.notes) console.log(`note: ${n}`);
      return 0;
    }
    console.log('evidence chain NOT valid');
    for (const p of r.problems) console.log(`  ${p}`);
    for (const n of r.notes) console.log(`note: ${n}`);
    return 1;
  } finally {
    await h.close();
  }
}
