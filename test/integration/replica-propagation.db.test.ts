import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasServerDatabase } from '../helpers/test-database.ts';
import { percentile, propagation, startTwoReplicas, type Replica } from '../helpers/propagation.ts';

const TRIALS = 20;
// The product's bar is p95 ≤ 100 ms (measured by `npm run bench -- replicas` and printed here). The test fails past
// 250 ms, which a machine busy with the rest of the suite stays under, while a change left to the poll (slowed to
// 10 s here) takes seconds.
const BAR_MS = 100;
const FAIL_MS = 250;

// Two processes share a database only on a PostgreSQL server (an embedded data directory has one owner).
describe.runIf(hasServerDatabase)('a change on one replica reaches the other through the change feed', () => {
  let replicas: Awaited<ReturnType<typeof startTwoReplicas>>;
  let a: Replica;
  let b: Replica;
  const call = (r: Replica, p: string, init: { method?: string; body?: unknown; key?: string } = {}) => replicas.call(r, p, init);

  beforeAll(async () => {
    replicas = await startTwoReplicas({ name: 'propagation', args: [['serve', '--demo'], ['serve']] });
    ({ a, b } = replicas);
  }, 120_000);
  afterAll(async () => {
    await replicas?.stop();
  });

  it(`entity writes and deletes, policy activations and key revocations: p95 well under the 10 s poll (bar ${BAR_MS} ms)`, async () => {
    const order = (await call(a, '/v1/entities/Order/o-1001')).body;
    expect(order.uid).toEqual({ type: 'Order', id: 'o-1001' });
    const entities: number[] = [];
    const deletes: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const id = `o-prop-${i}`;
      entities.push(
        await propagation(
          async () =>
            expect((await call(a, '/v1/entities', { method: 'PUT', body: { entities: [{ ...order, uid: { type: 'Order', id } }] } })).status).toBe(200),
          async () => (await call(b, `/v1/entities/Order/${id}`)).status === 200,
        ),
      );
      deletes.push(
        await propagation(
          async () => expect((await call(a, `/v1/entities/Order/${id}`, { method: 'DELETE' })).status).toBe(204),
          async () => (await call(b, `/v1/entities/Order/${id}`)).status === 404,
        ),
      );
    }

    const policies: number[] = [];
    const current = (await call(a, '/v1/policies')).body.policySets.find((s: { name: string }) => s.name === 'platform');
    for (let i = 0; i < 5; i++) {
      const text = `${current.policies}\n@id("propagation-${i}")\nforbid (principal, action, resource) when { false };\n`;
      let hash = '';
      policies.push(
        await propagation(
          async () => {
            const r = await call(a, '/v1/policies', {
              method: 'PUT',
              body: { name: 'platform', policies: text, schema: current.schema, comment: `propagation ${i}` },
            });
            expect(r.status, JSON.stringify(r.body).slice(0, 300)).toBe(200);
            expect(r.body.version.status).toBe('active');
            hash = (await call(a, '/v1/policies')).body.policySets.find((s: { name: string }) => s.name === 'platform').hash;
          },
          async () => (await call(b, '/v1/policies')).body.policySets.find((s: { name: string }) => s.name === 'platform').hash === hash,
        ),
      );
    }

    const revocations: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const made = await call(a, '/v1/api-keys', { body: { name: `propagation ${i}`, role: 'service' } });
      expect(made.status).toBe(201);
      // B has it cached as valid: without the feed it would keep working for the cache time.
      expect((await call(b, '/v1/entities?limit=1', { key: made.body.key })).status).toBe(200);
      revocations.push(
        await propagation(
          async () => expect((await call(a, `/v1/api-keys/${made.body.info.id}`, { method: 'DELETE' })).status).toBe(200),
          async () => (await call(b, '/v1/entities?limit=1', { key: made.body.key })).status === 401,
        ),
      );
    }

    const report = Object.entries({ entities, deletes, policies, revocations }).map(([what, xs]) => ({
      what,
      p50: Math.round(percentile(xs, 50)),
      p95: Math.round(percentile(xs, 95)),
      max: Math.round(Math.max(...xs)),
    }));
    console.log(
      `propagation across two replicas (ms; bar: p95 ≤ ${BAR_MS}):\n${report.map((r) => `  ${r.what.padEnd(12)} p50 ${r.p50}  p95 ${r.p95}  max ${r.max}`).join('\n')}`,
    );
    for (const r of report) expect(r.p95, r.what).toBeLessThanOrEqual(FAIL_MS);
  }, 120_000);
});
