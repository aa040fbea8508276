import type { Entity, EntityUid } from '../../engine/authz/entity.ts';

/** A seeded linear congruential generator: the benches' inputs are the same on every run. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * The authorization benches' request mix: users on orders, mostly (80%) of their own agency — the realistic case —
 * sometimes another one's, with six action/context pairs.
 */
export function requestMix(
  entities: Entity[],
  count: number,
  seed = 42,
): Array<{ principal: EntityUid; actionId: string; resource: EntityUid; context: Record<string, unknown> }> {
  const users = entities.filter((e) => e.uid.type === 'User');
  const orders = entities.filter((e) => e.uid.type === 'Order');
  const rand = rng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)];
  const actions: Array<{ id: string; context: Record<string, unknown> }> = [
    { id: 'read', context: {} },
    { id: 'read', context: { mfa: true } },
    { id: 'export', context: { mfa: true, purpose: 'fulfilment' } },
    { id: 'reveal_buyer_pii', context: { mfa: true } },
    { id: 'reveal_buyer_pii', context: { mfa: false } },
    { id: 'refund', context: { human_approved: true } },
  ];
  const agencyOf = (e: Entity) => JSON.stringify(e.attrs.agency ?? null);
  const byAgency = new Map<string, Entity[]>();
  for (const o of orders) byAgency.set(agencyOf(o), [...(byAgency.get(agencyOf(o)) ?? []), o]);
  const out = [];
  for (let i = 0; i < count; i++) {
    const user = pick(users);
    const own = byAgency.get(agencyOf(user)) ?? [];
    const order = rand() < 0.8 && own.length ? pick(own) : pick(orders);
    const a = pick(actions);
    out.push({ principal: user.uid, actionId: a.id, resource: order.uid, context: a.context });
  }
  return out;
}
