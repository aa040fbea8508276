/**
 * Apps benchmark: Tenet's Cedar evaluator on the three applications of Cedar's OOPSLA 2024 paper, re-created
 * here (test/bench/apps: gdrive, github, tinytodo — schema, policies, a seeded store generator and request mix
 * each), beside cedar-wasm on the same requests. For each app at ~1,000 and ~10,000 entities, in one run:
 *  - evaluator: the policy set compiled once, the index built once, then each of 2,000 seeded requests answered
 *    by authorize(compiled, index, request, { failClosed: true }) and timed alone (warm-up on other requests
 *    first; nothing cached between calls);
 *  - cedar-wasm isAuthorized on the request's reachable closure (principal, resource and context entities, then
 *    every parent and every entity an attribute names, transitively; actions come from the schema), with the
 *    policy text and the schema text: the call is timed, conversion of the closure into Cedar's entities
 *    included; computing the closure is not timed. Also statefulIsAuthorized (policies and schema preparsed
 *    once, the same closure each call) as the fairer figure;
 *  - agreement: decision, reasons (as sets) and erroring policies equal on every request, else exit 1;
 *  - memory per stored entity: heap growth of building the index (after GC) over the entity count.
 * One JSON line per app × size on stdout; a table on stderr at the end.
 * Reproduce: node --import tsx --expose-gc test/bench/apps.bench.ts   (or npm run bench -- apps)
 *   BENCH_APPS=gdrive,github  BENCH_APPS_SIZES=1000,10000  BENCH_APPS_REQUESTS=2000 narrow or change the run.
 */
import v8 from 'node:v8';
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { Entity } from '../../engine/authz/entity.ts';
import { authorize, compilePolicySet, createEntityIndex, type AuthorizeAnswer, type CedarRequest } from '../../engine/authz/evaluator/index.ts';
import { ClosureIndex, countByType, disagreement, type BenchApp } from './apps/common.ts';
import { gdrive } from './apps/gdrive.ts';
import { github } from './apps/github.ts';
import { tinytodo } from './apps/tinytodo.ts';

// As the server does (engine/authz/cedar-runtime.ts): Node 20's TurboFan crashed inlining JS→Wasm calls into cedar-wasm under load.
v8.setFlagsFromString('--no-turbo-inline-js-wasm-calls');

const command = 'node --import tsx --expose-gc test/bench/apps.bench.ts';
const APPS = [gdrive, github, tinytodo].filter((a) => !process.env.BENCH_APPS || process.env.BENCH_APPS.split(',').includes(a.name));
const SIZES = (process.env.BENCH_APPS_SIZES ?? '1000,10000').split(',').map(Number);
const N = Number(process.env.BENCH_APPS_REQUESTS ?? 2000);
const ENTITY_SEED = 1;
const REQUEST_SEED = 42;
const WARMUP_SEED = 7;
const gc = (globalThis as { gc?: () => void }).gc;

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
function summary(lat: number[]) {
  const sorted = [...lat].sort((a, b) => a - b);
  return { p50us: +pct(sorted, 50).toFixed(1), p99us: +pct(sorted, 99).toFixed(1) };
}
const now = () => process.hrtime.bigint();
const us = (a: bigint, b: bigint) => Number(b - a) / 1000;

interface Row {
  app: string;
  entities: number;
  evaluator: { p50us: number; p99us: number };
  wasm: { p50us: number; p99us: number };
  wasmPreparsed: { p50us: number; p99us: number };
  allowShare: number;
  bytesPerEntity: number | null;
  closureMean: number;
  floor: number;
}
const rows: Row[] = [];
let disagreements = 0;
let checked = 0;

function heapOfIndex(compiled: ReturnType<typeof compilePolicySet>, entities: Entity[]): number | null {
  if (!gc) return null;
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const index = createEntityIndex(compiled, entities);
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  if (index.size < entities.length) throw new Error('index lost entities');
  return Math.round((after - before) / entities.length);
}

function run(app: BenchApp, size: number) {
  const compiled = compilePolicySet({ policies: app.policies, schema: app.schema });
  const entities = app.entities(size, ENTITY_SEED);
  const bytesPerEntity = heapOfIndex(compiled, entities);
  const index = createEntityIndex(compiled, entities);
  const requests = app.requests(entities, N, REQUEST_SEED);
  const options = { failClosed: true };

  // Warm-up on other requests (V8 tiers the closures up); nothing is cached between calls.
  const warm = app.requests(entities, 2000, WARMUP_SEED);
  for (let k = 0; k < 3; k++) for (const r of warm) authorize(compiled, index, r, options);
  const lat: number[] = new Array(N);
  const answers: AuthorizeAnswer[] = new Array(N);
  for (let i = 0; i < N; i++) {
    const r = requests[i];
    const t0 = now();
    answers[i] = authorize(compiled, index, r, options);
    lat[i] = us(t0, now());
  }
  const mine = summary(lat);
  const allows = answers.filter((a) => a.decision === 'allow').length;

  // cedar-wasm on each request's closure (computed here, outside the timed calls).
  const closures = new ClosureIndex(entities);
  const slices = requests.map((r) => closures.of(r) as unknown as cedar.Entities);
  const closureMean = slices.reduce((s, x) => s + x.length, 0) / N;
  const closureMax = Math.max(...slices.map((x) => x.length));
  const policyName = `apps-${app.name}`;
  cedar.preparsePolicySet(policyName, { staticPolicies: app.policies });
  cedar.preparseSchema(policyName, app.schema);
  const call = (r: CedarRequest, entities: cedar.Entities) =>
    cedar.isAuthorized({
      principal: r.principal,
      action: r.action,
      resource: r.resource,
      context: r.context as cedar.Context,
      policies: { staticPolicies: app.policies },
      schema: app.schema,
      entities,
    });
  const callPreparsed = (r: CedarRequest, entities: cedar.Entities) =>
    cedar.statefulIsAuthorized({
      principal: r.principal,
      action: r.action,
      resource: r.resource,
      context: r.context as cedar.Context,
      preparsedPolicySetId: policyName,
      preparsedSchemaName: policyName,
      entities,
    });
  const timeWasm = (f: typeof call) => {
    for (let i = 0; i < Math.min(50, N); i++) f(requests[i], slices[i]);
    const wl: number[] = new Array(N);
    const out: cedar.AuthorizationAnswer[] = new Array(N);
    for (let i = 0; i < N; i++) {
      const t0 = now();
      out[i] = f(requests[i], slices[i]);
      wl[i] = us(t0, now());
    }
    return { lat: summary(wl), out };
  };
  const wasm = timeWasm(call);
  const pre = timeWasm(callPreparsed);
  let differ = 0;
  const examples: string[] = [];
  for (let i = 0; i < N; i++) {
    for (const theirs of [wasm.out[i], pre.out[i]]) {
      const d = disagreement(answers[i], theirs);
      if (d) {
        differ++;
        if (examples.length < 3) examples.push(`${JSON.stringify(requests[i])}: ${d}`);
      }
    }
  }
  checked += N;
  disagreements += differ;
  for (const e of examples) console.error(`apps bench: ${app.name} disagreement ${e}`);

  const floor = entities.length > 5000 ? 100 : 50;
  const types = Object.entries(countByType(entities))
    .map(([t, n]) => `${n} ${t}`)
    .join(', ');
  console.log(
    JSON.stringify({
      bench: 'apps',
      app: app.name,
      measure: 'per-request latency: evaluator authorize() uncached vs cedar-wasm isAuthorized on the request closure; agreement; heap per stored entity',
      input: `${app.name}: ${entities.length} entities (${types}; entity seed ${ENTITY_SEED}), ${compiled.policies.length} policies, ${N} requests (seed ${REQUEST_SEED})`,
      evaluator: { ...mine, call: 'authorize(compiled, index, request, { failClosed: true }), compiled and indexed once, warm-up first' },
      cedarWasm: {
        ...wasm.lat,
        call: 'isAuthorized (policy text + schema text + closure entities each call)',
        closureTimed: false,
        closureEntitiesMean: +closureMean.toFixed(1),
        closureEntitiesMax: closureMax,
      },
      cedarWasmPreparsed: { ...pre.lat, call: 'statefulIsAuthorized (policies + schema preparsed once, closure entities each call)' },
      speedupP50: +(wasm.lat.p50us / mine.p50us).toFixed(1),
      speedupP50VsPreparsed: +(pre.lat.p50us / mine.p50us).toFixed(1),
      allowShare: +(allows / N).toFixed(3),
      bytesPerEntity,
      agreement: { requestsChecked: N, comparisons: 2 * N, disagreements: differ },
      floorP50us: floor,
      goalP50us: 20,
      command,
    }),
  );
  rows.push({
    app: app.name,
    entities: entities.length,
    evaluator: mine,
    wasm: wasm.lat,
    wasmPreparsed: pre.lat,
    allowShare: allows / N,
    bytesPerEntity,
    closureMean,
    floor,
  });
}

for (const app of APPS) for (const size of SIZES) run(app, size);

const pad = (s: unknown, n: number) => String(s).padStart(n);
const lines = [
  `${'app'.padEnd(9)} ${pad('entities', 8)} | ${pad('eval p50', 9)} ${pad('p99', 7)} ${pad('floor', 5)} | ${pad('wasm p50', 9)} ${pad('p99', 8)} | ${pad('prep p50', 9)} ${pad('p99', 8)} | ${pad('×p50', 6)} ${pad('×prep', 6)} | ${pad('allow', 5)} ${pad('B/ent', 6)} ${pad('closure', 7)}`,
  ...rows.map(
    (r) =>
      `${r.app.padEnd(9)} ${pad(r.entities, 8)} | ${pad(r.evaluator.p50us.toFixed(1), 9)} ${pad(r.evaluator.p99us.toFixed(1), 7)} ${pad(r.evaluator.p50us <= r.floor ? 'ok' : 'MISS', 5)} | ${pad(r.wasm.p50us.toFixed(0), 9)} ${pad(r.wasm.p99us.toFixed(0), 8)} | ${pad(r.wasmPreparsed.p50us.toFixed(0), 9)} ${pad(r.wasmPreparsed.p99us.toFixed(0), 8)} | ${pad((r.wasm.p50us / r.evaluator.p50us).toFixed(0), 6)} ${pad((r.wasmPreparsed.p50us / r.evaluator.p50us).toFixed(0), 6)} | ${pad(`${Math.round(r.allowShare * 100)}%`, 5)} ${pad(r.bytesPerEntity ?? '-', 6)} ${pad(r.closureMean.toFixed(0), 7)}`,
  ),
  `latencies in µs per request; floor: evaluator p50 ≤ 50 µs at ~1,000 entities, ≤ 100 µs at ~10,000 (goal ≤ 20 µs); wasm = isAuthorized (policy + schema text), prep = statefulIsAuthorized (preparsed), both on the request's closure (closure computed outside the timing; mean size in the last column); B/ent = index heap per stored entity`,
  `agreement: ${checked} requests checked against both cedar-wasm calls, ${disagreements} disagreement(s)`,
];
console.error(lines.join('\n'));
if (disagreements) {
  console.error(`apps bench: ${disagreements} answer(s) differ from cedar-wasm`);
  process.exit(1);
}
