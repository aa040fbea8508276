/**
 * Authorization benchmark.
 * Input: a synthetic platform of 1,000 entities (agencies, clients, users, orders, integrations) and the shipped
 * platform policy set. Measures, in one run:
 *  - in-process decisions (PDP: Tenet's evaluator over the entity index, nothing cached), p50/p99 over N requests;
 *  - the same decisions made the naive way: cedar `isAuthorized` with the full policy text, the schema and every
 *    entity on each call (checked to give the same decisions);
 *  - HTTP decisions/s with autocannon, 50 connections, single and batch (10 and 100 per call), every decision
 *    logged (and counted in the database afterwards), with the decision journal on (answered once durable) and off
 *    (answered once queued): the latency durability adds, and the journal's flushes (O_DSYNC writes) per second.
 * Reproduce: npx tsx test/bench/authz.bench.ts   (or npm run bench -- authz)
 */
import { rmSync, mkdtempSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { sql } from 'kysely';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { openDatabase } from '../../engine/db/database.ts';
import type { Entity } from '../../engine/authz/entity.ts';
import { MemoryEntitySource } from '../../engine/authz/entity-source.ts';
import { PolicyDecisionPoint, type AuthorizationRequest } from '../../engine/authz/pdp.ts';
import { compilePolicySet } from '../../engine/authz/policy-set.ts';
import { readShippedPolicySet } from '../../engine/authz/policy-store.ts';
import { buildSyntheticEntities } from '../../engine/demo/demo-entities.ts';
import { requestMix } from './request-mix.ts';
import { SHIPPED_POLICY_DIR } from '../../engine/kernel/version.ts';

const ENTITIES = Number(process.env.BENCH_ENTITIES ?? 1000);
const N = Number(process.env.BENCH_DECISIONS ?? 20_000);
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const command = 'npx tsx test/bench/authz.bench.ts';

function buildRequests(entities: Entity[], count: number, seed = 42): AuthorizationRequest[] {
  return requestMix(entities, count, seed).map((r) => ({ principal: r.principal, action: { id: r.actionId }, resource: r.resource, context: r.context }));
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'authz', ...o, command }));

const shipped = await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' });
const compiled = compilePolicySet(shipped);
const entities = buildSyntheticEntities({ entities: ENTITIES });
const requests = buildRequests(entities, N);
const input = `${entities.length} entities (synthetic platform), ${Object.keys(compiled.byId).length} platform policies, ${N} requests over 6 action/context mixes`;

function measure(label: string, pdp: PolicyDecisionPoint) {
  pdp.activate(compiled);
  // Warm up on other requests than the measured ones (V8 tiers up our JS); nothing is cached between decisions.
  for (const r of buildRequests(entities, 5000, 7)) pdp.authorize(r);
  const lat: number[] = [];
  const decisions: string[] = [];
  let allows = 0;
  const t0 = process.hrtime.bigint();
  for (const r of requests) {
    const s = process.hrtime.bigint();
    const d = pdp.authorize(r);
    lat.push(Number(process.hrtime.bigint() - s) / 1000);
    decisions.push(d.decision);
    if (d.decision === 'allow') allows++;
  }
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  lat.sort((a, b) => a - b);
  const result = { p50: pct(lat, 50), p99: pct(lat, 99), decisions };
  emit({
    measure: label,
    input,
    p50us: +result.p50.toFixed(1),
    p99us: +pct(lat, 99).toFixed(1),
    decisionsPerSec: Math.round(N / sec),
    allowShare: +(allows / N).toFixed(3),
    floorP50us: 50,
  });
  return result;
}
const served = measure(
  'in-process decision latency, as served (evaluator over the entity index, uncached)',
  new PolicyDecisionPoint({ name: 'bench', actionType: 'Action', entities: new MemoryEntitySource(entities) }),
);
const p50 = served.p50;
const decisions = served.decisions;

// The naive way: full policy text and every entity, each call.
const naiveN = Math.min(N, 400);
const allEntities = entities as cedar.Entities;
const naiveCall = (r: AuthorizationRequest) =>
  cedar.isAuthorized({
    principal: r.principal,
    action: { type: 'Action', id: r.action.id },
    resource: r.resource,
    context: (r.context ?? {}) as cedar.Context,
    policies: { staticPolicies: compiled.byId },
    schema: shipped.schema,
    validateRequest: true,
    entities: allEntities,
  });
for (let i = 0; i < 20; i++) naiveCall(requests[i]);
const naiveLat: number[] = [];
let mismatches = 0;
for (let i = 0; i < naiveN; i++) {
  const s = process.hrtime.bigint();
  const a = naiveCall(requests[i]);
  naiveLat.push(Number(process.hrtime.bigint() - s) / 1000);
  const naiveDecision = a.type === 'success' && a.response.diagnostics.errors.length === 0 ? a.response.decision : 'deny';
  if (naiveDecision !== decisions[i]) mismatches++;
}
naiveLat.sort((a, b) => a - b);
const naiveP50 = pct(naiveLat, 50);
emit({
  measure: 'naive baseline (isAuthorized, full policy text + all entities per call)',
  input: `${naiveN} of the same requests`,
  p50us: +naiveP50.toFixed(1),
  p99us: +pct(naiveLat, 99).toFixed(1),
  speedupP50: +(naiveP50 / p50).toFixed(1),
  decisionMismatches: mismatches,
  floorSpeedup: 20,
});

// HTTP, every decision logged: the server is its own process (`tenet serve`), autocannon runs here. Twice: with the
// decision journal (the default: answered once durable on local disk) and without it (answered once queued for
// the database, as before the journal), one after the other on fresh data directories.
// Every body distinct (the in-process requests); warm-up uses other requests, so nothing measured was seen before.
const bodies = requests.map((r) => JSON.stringify(r));
const batchBodies = Array.from({ length: Math.floor(requests.length / 10) }, (_, i) => JSON.stringify({ requests: requests.slice(i * 10, i * 10 + 10) }));
const batch100Bodies = Array.from({ length: Math.floor(requests.length / 100) }, (_, i) =>
  JSON.stringify({ requests: requests.slice(i * 100, i * 100 + 100) }),
);
const warmBodies = buildRequests(entities, 2000, 99).map((r) => JSON.stringify(r));
const admin = `bench-admin-${process.pid}-0123456789abcdef0123456789`;
const auth = { authorization: `Bearer ${admin}` };
const loadAvg = () => os.loadavg().map((x) => +x.toFixed(2));

async function httpRun(journal: boolean) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tenet-bench-'));
  const {
    url,
    child: server,
    exited: serverExit,
  } = await spawnTenet({
    args: ['serve', '--port', '0'],
    env: {
      ...process.env,
      TENET_DATA_DIR: dataDir,
      TENET_BOOTSTRAP_TOKEN: admin,
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      TENET_SCHEDULER: 'false',
      TENET_DECISION_JOURNAL: String(journal),
    },
    timeoutMs: 180_000,
  });
  const put = await fetch(`${url}/v1/entities`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ entities }),
  });
  if (put.status !== 200) throw new Error(`entity load failed: ${put.status} ${await put.text()}`);
  const fsyncs = async () =>
    Number(/^tenet_decision_journal_fsyncs_total (\d+)/m.exec(await (await fetch(`${url}/metrics`, { headers: auth })).text())?.[1] ?? 0);
  async function load(pathname: string, payloads: string[], perRequest: number) {
    let i = 0;
    const f0 = await fsyncs();
    const load = loadAvg();
    const result = await autocannon({
      url: url + pathname,
      connections: 50,
      duration: HTTP_SECONDS,
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      requests: [{ setupRequest: (req: any) => ({ ...req, body: payloads[i++ % payloads.length] }) }],
    });
    const fsyncsPerSec = journal ? Math.round((await fsyncs()) - f0) / HTTP_SECONDS : null;
    return {
      rps: result.requests.average,
      decisionsPerSec: Math.round(result.requests.average * perRequest),
      p50ms: result.latency.p50,
      p99ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
      answered: result['2xx'] * perRequest,
      fsyncsPerSec,
      loadAvgBefore: load,
    };
  }
  // Warm the server's JIT with other requests than the measured ones.
  await load('/v1/authorize', warmBodies, 1);
  const single = await load('/v1/authorize', bodies, 1);
  const batch = await load('/v1/authorize/batch', batchBodies, 10);
  const batch100 = await load('/v1/authorize/batch', batch100Bodies, 100);
  server.kill('SIGTERM');
  await serverExit;
  const h = await openDatabase({ dataDir });
  const logged = Number((await sql<{ n: string }>`select count(*) as n from decisions where principal_type = 'User'`.execute(h.db)).rows[0].n);
  await h.close();
  rmSync(dataDir, { recursive: true, force: true });
  return { single, batch, batch100, answered: single.answered + batch.answered + batch100.answered, logged };
}

const runs: Record<'off' | 'on', Awaited<ReturnType<typeof httpRun>>> = { off: await httpRun(false), on: await httpRun(true) };
for (const mode of ['off', 'on'] as const) {
  const r = runs[mode];
  const how = mode === 'on' ? 'decision journal on: answered once durable (an O_DSYNC write per group)' : 'decision journal off: answered once queued';
  emit({
    measure: `HTTP single decisions/s (autocannon, 50 connections, every decision logged; ${how})`,
    input: `${HTTP_SECONDS}s, ${bodies.length} distinct bodies, server process on embedded PostgreSQL`,
    ...r.single,
    ...(mode === 'on' ? { floorDecisionsPerSec: 1500 } : {}),
  });
  emit({
    measure: `HTTP batch decisions/s (10 per request, autocannon, 50 connections; ${how})`,
    input: `${HTTP_SECONDS}s, ${batchBodies.length} distinct bodies`,
    ...r.batch,
  });
  emit({
    measure: `HTTP batch decisions/s (100 per request, autocannon, 50 connections; ${how})`,
    input: `${HTTP_SECONDS}s, ${batch100Bodies.length} distinct bodies`,
    ...r.batch100,
  });
  // autocannon counts the answers inside its window; the server also answers (and logs) requests in flight at its end.
  emit({
    measure: `decisions in the log after SIGTERM vs answered in the measured windows (warm-up included in the log; ${how})`,
    answered: r.answered,
    logged: r.logged,
    missing: Math.max(0, r.answered - r.logged),
  });
}
const added = (k: 'single' | 'batch' | 'batch100') => ({
  p50ms: +(runs.on[k].p50ms - runs.off[k].p50ms).toFixed(2),
  p99ms: +(runs.on[k].p99ms - runs.off[k].p99ms).toFixed(2),
  throughputOnOff: +(runs.on[k].decisionsPerSec / runs.off[k].decisionsPerSec).toFixed(3),
  fsyncsPerSec: runs.on[k].fsyncsPerSec,
});
emit({
  measure: "latency added by durability (journal on minus off, HTTP p50/p99) and the journal's fdatasyncs per second",
  single: added('single'),
  batch10: added('batch'),
  batch100: added('batch100'),
});
const single = runs.on.single;
const answered = runs.on.answered + runs.off.answered;
const logged = runs.on.logged + runs.off.logged;

const failures: string[] = [];
if (p50 > 300) failures.push(`in-process p50 ${p50.toFixed(1)} µs > 300 µs`);
if (naiveP50 / p50 < 20) failures.push(`speedup ${(naiveP50 / p50).toFixed(1)}x < 20x`);
if (single.decisionsPerSec < 1500) failures.push(`HTTP single ${single.decisionsPerSec}/s < 1500/s`);
// Durability's price, against the same build in the same run: single calls keep ≥ 80%, batches ≥ 90% (the run-to-run
// noise of this shared machine; group commit makes a batch one fdatasync).
if (runs.on.single.decisionsPerSec < 0.8 * runs.off.single.decisionsPerSec)
  failures.push(`HTTP single with the journal ${runs.on.single.decisionsPerSec}/s < 80% of ${runs.off.single.decisionsPerSec}/s without`);
for (const k of ['batch', 'batch100'] as const) {
  if (runs.on[k].decisionsPerSec < 0.9 * runs.off[k].decisionsPerSec)
    failures.push(`HTTP ${k} with the journal ${runs.on[k].decisionsPerSec}/s < 90% of ${runs.off[k].decisionsPerSec}/s without`);
}
if (mismatches) failures.push(`${mismatches} decisions differ from the naive evaluation`);
if (answered > logged) failures.push('answered decisions missing from the log');
if (failures.length) {
  console.error('authz bench below floor: ' + failures.join('; '));
  process.exit(1);
}
