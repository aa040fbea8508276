import { createWriteStream } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { parse } from '../cli.ts';
import type { Config } from '../config.ts';
import { createAuthz } from '../authz/create-authz.ts';
import { openDatabase } from '../db/database.ts';
import { createLogger } from '../logger.ts';
import { SHIPPED_POLICY_DIR } from '../version.ts';
import { CONTROLS_BY_ID } from '../../controls/catalogue/index.ts';
import { loadControlSettings } from '../../controls/settings.ts';
import { buildPack } from '../../evidence/packs/build-pack.ts';
import { makePackDeps } from '../../evidence/packs/pack-deps.ts';
import { verifyPack } from '../../evidence/packs/verify-pack.ts';
import { EvidenceStore } from '../../evidence/evidence-store.ts';
import { packSigningKey } from '../../evidence/packs/signing.ts';

const DAY = 86_400_000;

function date(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`--${flag} must be a date (2026-11-01 or an ISO timestamp)`);
  return d;
}

/** tenet pack --profile sp-api|google [--from DATE] [--to DATE] --out FILE.zip */
export async function pack(args: string[], ctx: { config: () => Config }): Promise<number> {
  const { values } = parse(args, { profile: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } });
  if (values.profile !== 'sp-api' && values.profile !== 'google') throw new Error('--profile must be sp-api or google');
  if (!values.out) throw new Error('--out FILE.zip is required');
  const to = date('to', values.to) ?? new Date();
  const from = date('from', values.from) ?? new Date(to.getTime() - 90 * DAY);
  const config = ctx.config();
  const logger = createLogger({ level: 'warn' });
  const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR });
  const partial = `${values.out}.partial`;
  try {
    const authz = await createAuthz({ db: h.db, logger, config, policyDir: config.TENET_POLICY_DIR ?? SHIPPED_POLICY_DIR });
    try {
      const deps = await makePackDeps({ db: h.db, authz, settings: loadControlSettings(config.TENET_CONFIG_FILE), catalogue: CONTROLS_BY_ID, scannerSecret: config.TENET_SCANNER_SECRET });
      const started = performance.now();
      const manifest = await buildPack(deps, { profile: values.profile, from, to, out: createWriteStream(partial) });
      await rename(partial, values.out);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`${values.out}: ${values.profile} pack, ${from.toISOString()} to ${to.toISOString()}, ${manifest.files.length} files, built in ${seconds} s, signed with key ${manifest.signingKeyId}`);
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

/** tenet verify FILE.zip [--public-key FILE] */
export async function verify(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { 'public-key': { type: 'string' } }, true);
  if (positionals.length !== 1) throw new Error('usage: tenet verify FILE.zip [--public-key FILE]');
  const key = values['public-key'] ? await readFile(values['public-key'], 'utf8') : undefined;
  const r = await verifyPack(positionals[0], key);
  if (r.ok) {
    console.log(`${positionals[0]}: valid — ${r.manifest!.files.length} files match the signed manifest (${r.manifest!.profile}, ${r.manifest!.period.from} to ${r.manifest!.period.to})`);
    if (r.keySource === 'pack') console.log('note: checked against the public key inside the pack; pass --public-key (GET /v1/packs/public-key) to check who signed it');
    return 0;
  }
  console.log(`${positionals[0]}: NOT valid`);
  for (const p of r.problems) console.log(`  ${p}`);
  return 1;
}

/** tenet evidence verify: walks the evidence chain and names the first broken link. */
export async function evidence(args: string[], ctx: { config: () => Config }): Promise<number> {
  if (args[0] !== 'verify') throw new Error('usage: tenet evidence verify');
  const config = ctx.config();
  const h = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.TENET_DATA_DIR });
  try {
    const r = await new EvidenceStore(h.db).verify({ publicKeyPem: (await packSigningKey(h.db)).publicKeyPem });
    if (r.ok) {
      console.log(`evidence chain valid: ${r.count} records${r.from ? ` from the signed checkpoint at ${r.from - 1}` : ''}${r.head ? `, head ${r.head}` : ''}`);
      return 0;
    }
    console.log(`evidence chain broken at record ${r.seq}: ${r.reason}`);
    return 1;
  } finally {
    await h.close();
  }
}
