/**
 * The server under fuzz: a real app (test/helpers/test-app.ts) on a fresh database — embedded PostgreSQL, or the
 * server in DATABASE_URL — with the demo entities, a key per role, the control and pack routes, and the ids the
 * generators aim at (control runs, a pack, spare keys and exceptions to revoke, the active policy texts).
 */
import { TENET_ROLES, type TenetRole } from '../../engine/authz/api-keys.ts';
import { startTestApp, type TestApp } from '../helpers/test-app.ts';
import { readOperations, resolver, type Operation } from './openapi-operations.ts';
import type { Resolve, Pools } from './valid-values.ts';

export interface FuzzTarget {
  t: TestApp;
  ops: Operation[];
  resolve: Resolve;
  pools: Pools;
  ownKeyIds: string[];
  /** The routes the app serves that the document does not describe (must stay empty). */
  undocumented: string[];
}

async function must(t: TestApp, path: string, init: Parameters<TestApp['call']>[1]): Promise<any> {
  const res = await t.call(path, init);
  if (res.status >= 300) throw new Error(`fuzz setup: ${init?.method ?? 'GET'} ${path} answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

export async function startFuzzTarget(): Promise<FuzzTarget> {
  // As the API security suite: Amazon SP-API needs one control that passes, so its orders are decided by the role
  // and tenant policies; the other restricted integrations have no controls and are never ready.
  // Keys are looked up as production does (cached 5 s; the suite never revokes its own keys): without the cache each
  // request would queue a query on embedded PostgreSQL's one connection, and the run would measure that queue.
  const t = await startTestApp({ controls: { settings: { integrations: { amazon_spapi: { controls: ['audit.pii-reveal-retention'] } } } }, keyCacheMs: 5_000 });
  try {
    await t.controls!.runNow(['audit.pii-reveal-retention'], { trigger: 'manual' });
    const doc = await must(t, '/openapi.json', {});
    const ops = readOperations(doc);
    const documented = new Set(ops.map((o) => o.key));
    const undocumented = [
      ...t.app.routes.map((r) => `${r.method.toUpperCase()} ${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`),
      'GET /healthz',
      'GET /readyz',
      'GET /metrics',
      'GET /openapi.json',
    ].filter((k) => !documented.has(k));

    const keys = (await must(t, '/v1/api-keys', { role: 'admin' })).keys as Array<{ id: string; name: string }>;
    const ownKeyIds = keys.filter((k) => TENET_ROLES.some((r: TenetRole) => k.name === `test ${r}`)).map((k) => k.id);
    if (ownKeyIds.length !== TENET_ROLES.length) throw new Error('fuzz setup: the suite’s own keys were not found by name');
    const spareKeyIds: string[] = [];
    for (let i = 0; i < 8; i++)
      spareKeyIds.push(
        (await must(t, '/v1/api-keys', { role: 'admin', body: { name: `fuzz spare ${i}`, role: TENET_ROLES[i % TENET_ROLES.length] } })).info.id,
      );
    const spareExceptionIds: string[] = [];
    for (let i = 0; i < 8; i++) {
      const e = await must(t, '/v1/exceptions', {
        role: 'security_officer',
        body: {
          controlId: 'storage.s3-versioning',
          reason: `fuzz spare exception ${i}`,
          ticket: `FUZZ-${i}`,
          expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        },
      });
      spareExceptionIds.push(e.id);
    }
    const controlIds = ((await must(t, '/v1/controls', { role: 'auditor' })).controls as Array<{ id: string }>).map((c) => c.id);
    const runs = ((await must(t, '/v1/controls/audit.pii-reveal-retention/runs', { role: 'auditor' })).runs as Array<{ id: string }>).map((r) => ({
      controlId: 'audit.pii-reveal-retention',
      runId: r.id,
    }));
    const pack = await must(t, '/v1/packs', { role: 'auditor', body: { profile: 'sp-api' } });
    const policySets = (await must(t, '/v1/policies', { role: 'admin' })).policySets as Array<{ name: 'platform' | 'tenet'; policies: string; schema: string }>;
    const policies = Object.fromEntries(policySets.map((p) => [p.name, { policies: p.policies, schema: p.schema }])) as Pools['policies'];
    if (runs.length === 0 || !pack.id) throw new Error('fuzz setup: no control run or pack to aim at');
    return {
      t,
      ops,
      resolve: resolver(doc),
      pools: { controlIds, runs, packIds: [pack.id], spareKeyIds, spareExceptionIds, policies },
      ownKeyIds,
      undocumented,
    };
  } catch (error) {
    await t.close();
    throw error;
  }
}
