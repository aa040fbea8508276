/**
 * Evaluator benchmark: per-call latency of Tenet's Cedar evaluator (`authorize()` over an entity index,
 * nothing cached, no slice) beside cedar-wasm on the same requests, with the shipped platform policy set and
 * schema. Inputs: the demo entities (engine/demo/demo-entities.ts), and synthetic platforms of 1,000 and 10,000
 * entities (buildSyntheticEntities). For each, one JSON line per engine:
 *  - evaluator: authorize(compiled, index, request) — the policy set compiled once, the index built once;
 *  - cedar-wasm isAuthorized: policy text, schema and every entity on each call (what an evaluator without a
 *    store has to do);
 *  - cedar-wasm statefulIsAuthorized: policies and schema preparsed once, every entity on each call.
 * Decisions and reasons are checked equal to cedar-wasm's on every request both engines ran; a mismatch fails the run.
 * Also: memory per stored entity (heap growth of the index at 10,000 entities, after GC).
 * Reproduce: node --import tsx --expose-gc test/bench/evaluator.bench.ts   (or npm run bench -- evaluator)
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Entity } from '../../engine/authz/entity.ts';
import { authorize, compilePolicySet, createEntityIndex, type CedarRequest } from '../../engine/authz/evaluator/index.ts';
import { buildDemoEntities, buildSyntheticEntities } from '../../engine/demo/demo-entities.ts';
import { requestMix } from './request-mix.ts';
import { SHIPPED_POLICY_DIR } from '../../engine/kernel/version.ts';

const N = Number(process.env.BENCH_DECISIONS ?? 20_000);
const command = 'node --import tsx --expose-gc test/bench/evaluator.bench.ts';
const policies = readFileSync(path.join(SHIPPED_POLICY_DIR, 'platform.cedar'), 'utf8');
const schema = readFileSync(path.join(SHIPPED_POLICY_DIR, 'platform.cedarschema'), 'utf8');
const compiled = compilePolicySet({ policies, schema });
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'evaluator', ...o, command }));
const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/** The authorization bench's request mix (request-mix.ts), as evaluator requests. */
function buildRequests(entities: Entity[], count: number, seed: number): CedarRequest[] {
  return requestMix(entities, count, seed).map((r) => ({
    principal: r.principal,
    action: { type: 'Action', id: r.actionId },
    resource: r.resource,
    context: r.context,
  }));
}

function time<T>(f: () => T): [T, number] {
  const s = process.hrtime.bigint();
  const r = f();
  return [r, Number(process.hrtime.bigint() - s) / 1000];
}

function summary(lat: number[]) {
  const sorted = [...lat].sort((a, b) => a - b);
  return { p50us: +pct(sorted, 50).toFixed(1), p99us: +pct(sorted, 99).toFixed(1) };
}

cedar.preparsePolicySet('bench-platform', { staticPolicies: policies });
cedar.preparseSchema('bench-platform', schema);
let mismatches = 0;

function run(label: string, entities: Entity[], wasmCalls: number) {
  const index = createEntityIndex(compiled, entities);
  const requests = buildRequests(entities, N, 42);
  const input = `${entities.length} entities (${label}), ${compiled.policies.length} platform policies, ${N} requests over 6 action/context mixes`;
  // Warm-up on other requests: V8 tiers up the closures; nothing is cached between calls.
  for (const r of buildRequests(entities, 5000, 7)) authorize(compiled, index, r);
  const lat: number[] = [];
  const answers = requests.map((r) => {
    const [a, us] = time(() => authorize(compiled, index, r));
    lat.push(us);
    return a;
  });
  const allows = answers.filter((a) => a.decision === 'allow').length;
  const mine = summary(lat);
  emit({
    measure: 'evaluator authorize() per call, uncached',
    input,
    ...mine,
    allowShare: +(allows / N).toFixed(3),
    floorP50us: label.includes('10,000') ? 100 : 50,
  });

  const wasm = (name: string, call: (r: CedarRequest) => cedar.AuthorizationAnswer) => {
    for (let i = 0; i < Math.min(20, wasmCalls); i++) call(requests[i]);
    const wl: number[] = [];
    let differ = 0;
    for (let i = 0; i < wasmCalls; i++) {
      const [a, us] = time(() => call(requests[i]));
      wl.push(us);
      if (a.type === 'failure') throw new Error(`${name} failed: ${a.errors.map((e) => e.message).join('; ')}`);
      const reasons = [...a.response.diagnostics.reason].sort().join(',');
      if (a.response.decision !== answers[i].decision || reasons !== [...answers[i].reasons].sort().join(',')) differ++;
    }
    mismatches += differ;
    const s = summary(wl);
    emit({
      measure: `${name} per call`,
      input: `${wasmCalls} of the same requests, ${entities.length} entities`,
      ...s,
      evaluatorSpeedupP50: +(s.p50us / mine.p50us).toFixed(1),
      decisionOrReasonMismatches: differ,
    });
  };
  const all = entities as unknown as cedar.Entities;
  wasm('cedar-wasm isAuthorized (policy text + schema + all entities each call)', (r) =>
    cedar.isAuthorized({
      principal: r.principal,
      action: r.action,
      resource: r.resource,
      context: r.context as cedar.Context,
      policies: { staticPolicies: policies },
      schema,
      entities: all,
    }),
  );
  wasm('cedar-wasm statefulIsAuthorized (preparsed policies + schema, all entities each call)', (r) =>
    cedar.statefulIsAuthorized({
      principal: r.principal,
      action: r.action,
      resource: r.resource,
      context: r.context as cedar.Context,
      preparsedPolicySetId: 'bench-platform',
      preparsedSchemaName: 'bench-platform',
      entities: all,
    }),
  );
}

run('demo', buildDemoEntities(), 500);
run('synthetic platform, 1,000', buildSyntheticEntities({ entities: 1000 }), 100);
run('synthetic platform, 10,000', buildSyntheticEntities({ entities: 10_000 }), 10);

// Memory per stored entity: heap growth of an index of 10,000 entities, after GC (needs --expose-gc).
const gc = (globalThis as { gc?: () => void }).gc;
if (gc) {
  const big = buildSyntheticEntities({ entities: 10_000 });
  gc();
  const before = process.memoryUsage().heapUsed;
  const index = createEntityIndex(compiled, big);
  gc();
  const after = process.memoryUsage().heapUsed;
  emit({
    measure: 'memory per stored entity (parsed attributes, parents, ancestor set)',
    input: `${index.size} entities (synthetic platform)`,
    bytesPerEntity: Math.round((after - before) / index.size),
  });
}
if (mismatches) {
  console.error(`evaluator bench: ${mismatches} request(s) answered differently from cedar-wasm`);
  process.exit(1);
}
