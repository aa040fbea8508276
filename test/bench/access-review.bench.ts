/**
 * The access review (who may reveal buyer PII, export, or read credentials, on which clients), timed over the
 * shipped platform policy set on two stores: the demo platform, and a larger synthetic one (50 users, 20 clients,
 * 20,000 orders plus reports, conversations and credentials; deterministic). Reports the median of a few runs (after
 * one warm-up), the grants found, and how many (user, action, type) triples were planned or decided resource by
 * resource; on the large store also with every triple planned, and with every triple decided.
 * Reproduce: npx tsx test/bench/access-review.bench.ts   (or npm run bench -- access-review)
 */
import { accessReview } from '../../engine/authz/access-review.ts';
import type { Entity } from '../../engine/authz/entity.ts';
import { MemoryEntitySource } from '../../engine/authz/entity-source.ts';
import { PolicyDecisionPoint } from '../../engine/authz/pdp.ts';
import { compilePolicySet } from '../../engine/authz/policy-set.ts';
import { readShippedPolicySet } from '../../engine/authz/policy-store.ts';
import { buildDemoEntities } from '../../engine/demo/demo-entities.ts';
import { SHIPPED_POLICY_DIR } from '../../engine/kernel/version.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 20_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const command = 'npx tsx test/bench/access-review.bench.ts';
const ref = (type: string, id: string) => ({ __entity: { type, id } });
const uid = (type: string, id: string) => ({ type, id });

/** A client whose only order with buyer PII left is its last one (three orders sampled per client miss it). */
const LATE = 'agency-0-client-3';

/** 4 agencies of 5 clients; per client one client user; 30 agency staff; orders spread over the clients. */
function largeStore(orders: number): Entity[] {
  const out = buildDemoEntities().filter((e) => ['Role', 'Integration', 'Service'].includes(e.uid.type));
  const providers = ['amazon_spapi', 'whatsapp', 'google_ads', 'delhivery', 'stripe', 'instantly'];
  const clients: Array<{ id: string; agency: string }> = [];
  for (let a = 0; a < 4; a++) {
    const agency = `agency-${a}`;
    out.push({ uid: uid('Agency', agency), attrs: {}, parents: [] });
    for (let c = 0; c < 5; c++) {
      const id = `${agency}-client-${c}`;
      // Most clients connect Amazon; a few do not (their orders serve nothing).
      const integrations = c === 4 ? ['whatsapp', 'stripe'] : ['amazon_spapi', 'whatsapp', 'google_ads', 'delhivery'];
      out.push({
        uid: uid('Client', id),
        attrs: { agency: ref('Agency', agency), integrations: integrations.map((i) => ref('Integration', i)) },
        parents: [uid('Agency', agency)],
      });
      clients.push({ id, agency });
      out.push({
        uid: uid('User', `${id}-user`),
        attrs: { agency: ref('Agency', agency) },
        parents: [uid('Role', 'client_user'), uid('Agency', agency), uid('Client', id)],
      });
    }
  }
  for (let s = 0; s < 30; s++) {
    const agency = `agency-${s % 4}`;
    const role = s === 29 ? 'platform_admin' : s < 4 ? 'agency_admin' : 'agency_user';
    const parents = role === 'platform_admin' ? [uid('Role', role)] : [uid('Role', role), uid('Agency', agency)];
    out.push({ uid: uid('User', `staff-${s}`), attrs: role === 'platform_admin' ? {} : { agency: ref('Agency', agency) }, parents });
  }
  const resource = (type: string, id: string, client: { id: string; agency: string }, integration: string, extra: Record<string, unknown> = {}): Entity => ({
    uid: uid(type, id),
    attrs: { agency: ref('Agency', client.agency), client: ref('Client', client.id), integration: ref('Integration', integration), ...extra },
    parents: [uid('Client', client.id)],
  });
  for (let o = 0; o < orders; o++) {
    const client = clients[o % clients.length];
    out.push(
      resource('Order', `o-${o}`, client, o % 7 === 0 ? 'amazon_spapi' : providers[o % providers.length], {
        pii_redacted: client.id === LATE ? o < orders - clients.length : o % 3 !== 0,
      }),
    );
  }
  clients.forEach((client, i) => {
    for (let k = 0; k < 5; k++) {
      out.push(resource('Report', `rep-${i}-${k}`, client, providers[(i + k) % providers.length]));
      out.push(resource('Conversation', `conv-${i}-${k}`, client, providers[(i + 2 * k) % providers.length]));
    }
    out.push(resource('Credential', `cred-${i}`, client, 'amazon_spapi'));
  });
  return out;
}

const compiled = compilePolicySet(await readShippedPolicySet({ dir: SHIPPED_POLICY_DIR, name: 'platform' }));

function measure(label: string, entities: Entity[], options: { planFrom?: number } = {}): void {
  const source = new MemoryEntitySource(entities);
  const pdp = new PolicyDecisionPoint({ name: 'bench', actionType: 'Action', entities: source });
  pdp.activate(compiled);
  // As the entity store answers: all of one type, or everything.
  const deps = { pdp, entities: { all: (type?: string) => (type ? [...source.all()].filter((e) => e.uid.type === type) : source.all()) } };
  const times: number[] = [];
  let review = accessReview(deps, undefined, options);
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    review = accessReview(deps, undefined, options);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const count = (type: string) => entities.filter((e) => e.uid.type === type).length;
  console.log(
    JSON.stringify({
      bench: 'access-review',
      measure: label,
      input: `${count('User')} users, ${count('Client')} clients, ${count('Order')} orders, ${entities.length} entities; shipped platform policies`,
      medianMs: Math.round(times[Math.floor(times.length / 2)]),
      runs: RUNS,
      grants: review.rows.reduce((n, r) => n + r.clients.length, 0),
      method: review.method,
      command,
    }),
  );
}

const demo = buildDemoEntities();
const large = largeStore(ORDERS);
measure('access review, demo store', demo);
measure('access review, large store', large);
// The two ways of answering on their own: every triple planned, every triple decided resource by resource.
measure('access review, large store, always planned (planFrom 0)', large, { planFrom: 0 });
measure('access review, large store, always decided (planFrom Infinity)', large, { planFrom: Infinity });
