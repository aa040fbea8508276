/**
 * Replicas benchmark: several `tenet serve` processes on one PostgreSQL server.
 * Input: 100,000 synthetic platform entities (BENCH_REPLICA_ENTITIES), the shipped policies, the request mix of the
 * authorization benchmark. Measures, in one run:
 *  - decisions/s over HTTP (autocannon, 50 connections, BENCH_HTTP_SECONDS each, every decision logged) on one
 *    replica, then on two replicas at once (25 connections each, summed);
 *  - propagation from one replica to the other (the change feed): an entity write, a key revocation, p50/p95 of 20;
 *  - a fresh replica's start with the 100,000 entities stored: spawn to "tenet listening", and its RSS then.
 * Needs a PostgreSQL server: DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres (a database of its own
 * is created and dropped).
 * Reproduce: npx tsx test/bench/replicas.bench.ts   (or npm run bench -- replicas)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { buildSyntheticEntities } from '../../engine/demo/demo-entities.ts';
import { newKeySet } from '../../evidence/ledger/keys.ts';
import { apiCaller, percentile, propagation } from '../helpers/propagation.ts';
import { spawnTenet } from '../helpers/spawn-tenet.ts';
import { createChildDatabase } from '../helpers/test-database.ts';
import { requestMix } from './request-mix.ts';

process.env.DATABASE_URL ||= 'postgres://postgres@127.0.0.1:5432/postgres';
const ENTITIES = Number(process.env.BENCH_REPLICA_ENTITIES ?? 100_000);
const HTTP_SECONDS = Number(process.env.BENCH_HTTP_SECONDS ?? 10);
const command = 'npx tsx test/bench/replicas.bench.ts';

/**
 * Cores used between the call and done(), from /proc (Linux): the whole machine's busy cores, and each named
 * process's own (user + system); `rest` is the machine's less the named ones. Undefined where /proc is missing.
 */
function cpuShares(pids: Record<string, number>) {
  if (!existsSync('/proc/stat')) return { done: () => undefined };
  const machine = () => {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3] + f[4], total: f.reduce((x, y) => x + y, 0) };
  };
  // utime + stime, in clock ticks (fields 14 and 15 of /proc/PID/stat)
  const ticks = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  const t0 = performance.now();
  const m0 = machine();
  const p0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, ticks(pid)]));
  return {
    done() {
      const seconds = (performance.now() - t0) / 1000;
      const m1 = machine();
      const cores = os.availableParallelism();
      const busy = (1 - (m1.idle - m0.idle) / (m1.total - m0.total)) * cores;
      // USER_HZ is 100 on Linux
      const own = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, (ticks(pid) - p0[k]) / 100 / seconds]));
      const round = (x: number) => Math.round(x * 100) / 100;
      const named = Object.values(own).reduce((x, y) => x + y, 0);
      return { of: cores, busy: round(busy), ...Object.fromEntries(Object.entries(own).map(([k, v]) => [k, round(v)])), rest: round(busy - named) };
    },
  };
}
const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'replicas', ...o, command }));

const dir = mkdtempSync(path.join(tmpdir(), 'tenet-bench-replicas-'));
const database = await createChildDatabase('tenet_bench_replicas');
const admin = `tnt_bench_${randomBytes(24).toString('base64url')}`;
const env = {
  ...(process.env as Record<string, string>),
  DATABASE_URL: database.url!,
  TENET_BOOTSTRAP_TOKEN: admin,
  TENET_KEYS: JSON.stringify(newKeySet()),
  TENET_SCHEDULER: 'false',
  LOG_LEVEL: 'info',
  PORT: '0',
};
const replicas: Array<Awaited<ReturnType<typeof spawnTenet>>> = [];
const start = async (name: string, workers = 1) => {
  const t0 = performance.now();
  const r = await spawnTenet({ args: ['serve', '--workers', String(workers)], env: { ...env, TENET_DATA_DIR: path.join(dir, name) }, timeoutMs: 180_000 });
  replicas.push(r);
  const rssMb = Math.round(
    Number(
      execFileSync('ps', ['-o', 'rss=', '-p', String(r.child.pid)])
        .toString()
        .trim(),
    ) / 1024,
  );
  return { ...r, startMs: Math.round(performance.now() - t0), rssMb };
};

try {
  const a = await start('a');
  const callA = apiCaller(a.url, admin);
  const entities = buildSyntheticEntities({ entities: ENTITIES });
  const t0 = performance.now();
  for (let i = 0; i < entities.length; i += 5_000) {
    const r = await callA('/v1/entities', { method: 'PUT', body: { entities: entities.slice(i, i + 5_000) } });
    if (r.status !== 200) throw new Error(`entity load failed: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  }
  emit({ measure: 'entity load through PUT /v1/entities (5,000 per call)', entities: entities.length, ms: Math.round(performance.now() - t0) });

  const b = await start('b');
  emit({
    measure: `a fresh replica's start with the entities stored: spawn to "tenet listening", RSS then`,
    entities: entities.length,
    ms: b.startMs,
    rssMb: b.rssMb,
  });
  const callB = apiCaller(b.url, admin);

  const bodies = requestMix(entities, 20_000, 42).map((r) =>
    JSON.stringify({ principal: r.principal, action: { id: r.actionId }, resource: r.resource, context: r.context }),
  );
  const load = async (url: string, connections: number) => {
    let i = 0;
    const result = await autocannon({
      url: `${url}/v1/authorize`,
      connections,
      duration: HTTP_SECONDS,
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      requests: [{ setupRequest: (req: any) => ({ ...req, body: bodies[i++ % bodies.length] }) }],
    });
    return { rps: Math.round(result.requests.average), p50ms: result.latency.p50, p99ms: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
  };
  await load(a.url, 50); // warm-up
  await load(b.url, 50);
  // Where the cores go while one worker serves: the server, this process (the load generator), the rest (PostgreSQL
  // taking every decision's insert). A second worker can only use what is left idle.
  const cpu = cpuShares({ server: a.child.pid!, loadGenerator: process.pid });
  const one = await load(a.url, 50);
  const oneCpu = cpu.done();
  const [ta, tb] = await Promise.all([load(a.url, 25), load(b.url, 25)]);
  // One replica with a worker per core, on the same port.
  const cores = os.availableParallelism();
  const c = await start('c', cores);
  await new Promise((r) => setTimeout(r, 5_000)); // its other workers start after the first listens
  await load(c.url, 50);
  const allCores = await load(c.url, 50);
  emit({
    measure: `HTTP single decisions/s: one replica with one worker vs one replica with ${cores} workers (tenet serve --workers ${cores}), autocannon in this process on the same cores`,
    input: `${HTTP_SECONDS}s each, ${bodies.length} distinct bodies, ${entities.length} entities`,
    oneWorker: { ...one, cores: oneCpu },
    allCores,
    ratio: +(allCores.rps / one.rps).toFixed(2),
    floorRatio: 1.6,
  });
  emit({
    measure: 'HTTP single decisions/s: one replica, then two replicas at once (autocannon in this process, on the same 2 cores)',
    input: `${HTTP_SECONDS}s each, ${bodies.length} distinct bodies, ${entities.length} entities, loadavg ${os.loadavg().map((x) => x.toFixed(2))}`,
    oneReplica: one,
    twoReplicas: { a: ta, b: tb, rps: ta.rps + tb.rps },
    ratio: +((ta.rps + tb.rps) / one.rps).toFixed(2),
  });

  const order = entities.find((e) => e.uid.type === 'Order')!;
  const entityMs: number[] = [];
  const keyMs: number[] = [];
  for (let i = 0; i < 20; i++) {
    const id = `bench-propagation-${i}`;
    entityMs.push(
      await propagation(
        async () => void (await callA('/v1/entities', { method: 'PUT', body: { entities: [{ ...order, uid: { type: 'Order', id } }] } })),
        async () => (await callB(`/v1/entities/Order/${id}`)).status === 200,
      ),
    );
    const made = await callA('/v1/api-keys', { body: { name: `bench ${i}`, role: 'service' } });
    await callB('/v1/entities?limit=1', { key: made.body.key });
    keyMs.push(
      await propagation(
        async () => void (await callA(`/v1/api-keys/${made.body.info.id}`, { method: 'DELETE' })),
        async () => (await callB('/v1/entities?limit=1', { key: made.body.key })).status === 401,
      ),
    );
  }
  const summary = (xs: number[]) => ({ p50ms: +percentile(xs, 50).toFixed(1), p95ms: +percentile(xs, 95).toFixed(1) });
  emit({
    measure: 'propagation from replica A to replica B (change feed), 20 each',
    entityWrite: summary(entityMs),
    keyRevocation: summary(keyMs),
    floorP95ms: 100,
  });
} finally {
  for (const r of replicas) r.child.kill('SIGTERM');
  await Promise.all(replicas.map((r) => r.exited));
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
}
