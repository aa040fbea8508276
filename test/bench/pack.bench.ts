/**
 * `tenet pack` over one year of hourly runs of every control (~184,000 evidence records, each a realistic run
 * payload), then `tenet verify` on the result: wall time and peak resident memory of each command as a child
 * process. The records live on a PostgreSQL server — DATABASE_URL, else the local one at 127.0.0.1:5432 when it
 * answers (a fresh database, dropped after) — or, with BENCH_PACK_EMBEDDED=1 or no server, in embedded PostgreSQL,
 * whose WebAssembly heap alone is ~400 MB of the command's resident memory.
 * Floors: build ≤ 60 s and ≤ 400 MB; verify ≤ 10 s.
 * Reproduce: npm run bench -- pack    (embedded: BENCH_PACK_EMBEDDED=1 npm run bench -- pack)
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOGUE } from '../../controls/catalogue/index.ts';
import pg from 'pg';
import { openDatabase } from '../../engine/db/database.ts';
import { buildDemoEntities } from '../../engine/demo/demo-entities.ts';
import { canonicalJson } from '../../evidence/ledger/canonical-json.ts';
import { GENESIS_HASH } from '../../evidence/ledger/chain.ts';

const HOURS = Number(process.env.BENCH_PACK_HOURS ?? 24 * 365);
const dir = process.env.BENCH_KEEP_DIR ?? mkdtempSync(path.join(tmpdir(), 'tenet-pack-bench-'));
const bin = fileURLToPath(new URL('../../engine/bin/tenet.mjs', import.meta.url));
const rss = fileURLToPath(new URL('./report-rss.cjs', import.meta.url));
const end = Date.parse('2026-11-01T00:00:00Z');
const start = end - HOURS * 3_600_000;

// ---- seed: the chain, computed here and inserted in batches (what hourly runs would have appended) ----------------
const seedStarted = performance.now();
let databaseUrl: string | undefined;
const serverUrl = process.env.BENCH_PACK_EMBEDDED ? undefined : process.env.DATABASE_URL || (await reachable('postgres://postgres@127.0.0.1:5432/postgres'));
async function reachable(url: string): Promise<string | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return url;
  } catch {
    return undefined;
  }
}
if (serverUrl) {
  const u = new URL(serverUrl);
  const name = `tenet_bench_pack_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  u.pathname = `/${name}`;
  databaseUrl = u.toString();
}
const h = await openDatabase(databaseUrl ? { databaseUrl } : { dataDir: dir });
await h.db
  .insertInto('entities')
  .values(buildDemoEntities().map((e) => ({ type: e.uid.type, id: e.uid.id, attrs: JSON.stringify(e.attrs), parents: JSON.stringify(e.parents) })))
  .execute();
let prev = GENESIS_HASH;
let seq = 0;
let batch: Array<Record<string, unknown>> = [];
const flush = async () => {
  if (!batch.length) return;
  await h.db
    .insertInto('evidence_records')
    .values(batch as never)
    .execute();
  batch = [];
};
for (let hour = 0; hour < HOURS; hour++) {
  const at = new Date(start + hour * 3_600_000).toISOString();
  for (const c of CATALOGUE) {
    seq++;
    const payload = {
      runId: String(seq),
      status: hour % 97 === 0 ? 'fail' : 'pass',
      summary: `${12 + (hour % 5)} resources checked`,
      findings: hour % 97 === 0 ? [{ resourceId: `arn:aws:s3:::astrix-prod-bucket-${hour % 7}`, message: 'bucket lacks versioning' }] : [],
      evidence: {
        items: Array.from({ length: 3 }, (_, i) => ({
          resourceType: 'AWS::S3::Bucket',
          resourceId: `astrix-prod-bucket-${i}`,
          accountId: '111111111111',
          awsRegion: 'ap-south-1',
          tags: { environment: 'production' },
          configuration: {},
          supplementaryConfiguration: { BucketVersioningConfiguration: { status: 'Enabled' } },
          configurationItemCaptureTime: at,
        })),
        errors: [],
      },
    };
    const hash = createHash('sha256')
      .update(prev)
      .update(canonicalJson({ seq, collectedAt: at, controlId: c.id, source: 'aws', payload }))
      .digest('hex');
    batch.push({ seq, prev_hash: prev, hash, collected_at: at, control_id: c.id, source: 'aws', payload: JSON.stringify(payload) });
    prev = hash;
    if (batch.length >= 2000) await flush();
  }
}
await flush();
await h.close();
const seedSeconds = (performance.now() - seedStarted) / 1000;

// ---- measure ---------------------------------------------------------------------------------------------------
function timed(args: string[]) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], {
    env: {
      ...process.env,
      NODE_OPTIONS: `--require ${rss}`,
      TENET_DATA_DIR: dir,
      DATABASE_URL: databaseUrl ?? '',
      LOG_LEVEL: 'warn',
      TENET_SCANNER_SECRET: 'bench-secret-0123456789abcdef0123456789',
    },
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`tenet ${args[0]} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return { seconds: Math.round(seconds * 10) / 10, peakRssMb: Math.round(Number(/TENET_BENCH_MAX_RSS_KB=(\d+)/.exec(r.stderr)?.[1]) / 1024) };
}
const out = path.join(dir, 'pack.zip');
const build = timed(['pack', '--profile', 'sp-api', '--from', new Date(start).toISOString(), '--to', new Date(end).toISOString(), '--out', out]);
const verify = timed(['verify', out]);
const size = statSync(out).size;
if (!process.env.BENCH_KEEP_DIR) rmSync(dir, { recursive: true, force: true });
if (databaseUrl) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${new URL(databaseUrl).pathname.slice(1)} WITH (FORCE)`);
  await admin.end();
}
const ok = build.seconds <= 60 && build.peakRssMb <= 400 && verify.seconds <= 10;
console.log(
  JSON.stringify({
    bench: 'tenet pack + tenet verify',
    input: `${seq} evidence records (${HOURS} hourly runs x ${CATALOGUE.length} controls, ~1 KB payloads), ${databaseUrl ? 'PostgreSQL server' : 'embedded PostgreSQL'}; seeded in ${seedSeconds.toFixed(0)} s`,
    build,
    verify,
    packMb: Math.round(size / 1024 / 1024),
    floors: { buildSeconds: 60, buildRssMb: 400, verifySeconds: 10 },
    ok,
    command: 'npm run bench -- pack',
  }),
);
process.exit(ok ? 0 : 1);
