import type { EntityStore } from './entity-store.ts';
import { referencedUids, refId, uidKey, type Entity } from './entity.ts';
import { EntityIndex } from './evaluator/index.ts';
import type { SType } from './evaluator/schema.ts';
import type { PolicyDecisionPoint } from './pdp.ts';
import { conditionNamesIds, planMatches, type AncestorsOf } from './plan-match.ts';
import { planWith, PLANNING_FAILED, PlanUnsupportedError, type Plan } from './plan.ts';
import type { CompiledPolicySet } from './policy-set.ts';

export type AccessReviewAction = 'reveal_buyer_pii' | 'export' | 'read_credential';

/** One user's access for one action: the clients on which the PDP allows it. */
interface AccessReviewRow {
  user: string;
  roles: string[];
  /** the user's agency; null for platform users */
  agency: string | null;
  action: AccessReviewAction;
  clients: string[];
}

export interface AccessReview {
  rows: AccessReviewRow[];
  /** (user, action, client) grants where the client belongs to another agency than the user */
  crossAgency: number;
  /**
   * Within-agency least privilege: agency-level users (bound to no one client) who may reveal buyer PII on every
   * client of their agency that holds orders (`clients`: how many), however their roles were granted. Flagged for
   * the reviewer to confirm, not counted as a fault.
   */
  agencyWide: Array<{ user: string; roles: string[]; agency: string; clients: number }>;
  /** how many users and clients were reviewed */
  users: number;
  clients: number;
  /**
   * How the (user, action, resource type) triples were answered (those whose type holds resources), each one
   * exactly: `planned` by one plan whose condition was read against every stored resource of the type, `decided` by
   * a decision on every stored resource (a type with few resources, or a plan the planner refuses). Absent in a
   * review not computed here.
   */
  method?: { planned: number; decided: number };
}

const REVIEW_ACTIONS: Array<[AccessReviewAction, string[]]> = [
  ['reveal_buyer_pii', ['Order']],
  ['export', ['Order', 'Report', 'Conversation']],
  ['read_credential', ['Credential']],
];

/** What every question of the review carries: the most a user could present (MFA), and why it is asked. */
const CONTEXT = { mfa: true, purpose: 'access-review' };

/**
 * A plan costs a Cedar partial evaluation (milliseconds); a decision, microseconds. A type with fewer stored
 * resources than this is decided resource by resource, which is as exact and cheaper.
 */
const PLAN_FROM = 1000;

/** The stored resources of one reviewed type, by the id of the client they belong to. */
interface Held {
  byClient: Map<string, Entity[]>;
  count: number;
  /** per client, one resource for each distinct (attributes, parents): a condition without `id_in` reads no more */
  distinct?: Map<string, Entity[]>;
  /** what a plan for this type is given to read (undefined until the first plan) */
  planning?: Entity[];
}

/**
 * Who can reveal buyer PII, export, or read credentials, on which clients — over every stored resource of each
 * type, for every user (with MFA); never inferred from role names. For each (user, action, resource type), the
 * platform PDP's planner (`planWith`) answers which resources of the type the user may act on, and its condition is
 * read against each stored resource; a client is listed when at least one of its resources is allowed. Where the
 * planner cannot say it exactly (PlanUnsupportedError) or a type holds few resources, the PDP decides on each one.
 * `options.planFrom`: the fewest stored resources of a type for which a plan is asked (0: always plan).
 */
export function accessReview(
  deps: { pdp: Pick<PolicyDecisionPoint, 'authorize' | 'active' | 'refusedEntities'>; entities: Pick<EntityStore, 'all'> & { version?: string } },
  onUser?: (done: number, total: number) => void,
  options: { planFrom?: number } = {},
): AccessReview {
  const planFrom = options.planFrom ?? PLAN_FROM;
  // Over a live store, the review is kept until its entities or the active policy version change: a review of a
  // large store takes seconds on the thread that answers decisions, and the console, the scorecard and packs ask
  // for it again and again over the same state.
  const key = deps.entities.version !== undefined && deps.pdp.active ? `${deps.pdp.active.hash}|${deps.entities.version}|${planFrom}` : undefined;
  const kept = key === undefined ? undefined : reviews.get(deps.entities);
  if (kept && kept.key === key) {
    onUser?.(kept.review.users, kept.review.users);
    return kept.review;
  }
  const review = computeReview(deps, planFrom, onUser);
  if (key !== undefined) reviews.set(deps.entities, { key, review });
  return review;
}

const reviews = new WeakMap<object, { key: string; review: AccessReview }>();

function computeReview(
  deps: { pdp: Pick<PolicyDecisionPoint, 'authorize' | 'active' | 'refusedEntities'>; entities: Pick<EntityStore, 'all'> },
  planFrom: number,
  onUser?: (done: number, total: number) => void,
): AccessReview {
  // One snapshot: every answer of the review is over the same entities.
  const all = [...deps.entities.all()];
  const clients = all.filter((e) => e.uid.type === 'Client');
  const users = all.filter((e) => e.uid.type === 'User');
  const held = new Map<string, Held>();
  for (const [, types] of REVIEW_ACTIONS) for (const t of types) held.set(t, { byClient: new Map(), count: 0 });
  for (const e of all) {
    const h = held.get(e.uid.type);
    const client = refId(e.attrs.client);
    if (!h || !client) continue;
    const list = h.byClient.get(client);
    if (list) list.push(e);
    else h.byClient.set(client, [e]);
    h.count++;
  }
  let index: EntityIndex | undefined;
  const none = new Set<string>();
  const ancestorsOf: AncestorsOf = (e) => {
    // The evaluator's index over the parents alone: each entity's transitive ancestors, as decisions read them.
    index ??= new EntityIndex({ entities: all.map((x) => ({ uid: x.uid, parents: x.parents })) });
    return index.get(uidKey(e.uid))?.ancestors ?? none;
  };
  const method = { planned: 0, decided: 0 };

  /** The clients holding a resource of `type` on which `user` may do `action`. */
  const allowedOn = (user: Entity, action: AccessReviewAction, type: string): Iterable<string> => {
    const h = held.get(type)!;
    if (h.count === 0) return [];
    const planning = () => (h.planning ??= planningEntities(all, deps.pdp.active, type));
    const plan = h.count >= planFrom ? planFor(deps.pdp, planning, user, action, type) : undefined;
    if (!plan) {
      method.decided++;
      const allows = (r: Entity) => deps.pdp.authorize({ principal: user.uid, action: { id: action }, resource: r.uid, context: CONTEXT }).decision === 'allow';
      return [...h.byClient].filter(([, rs]) => rs.some(allows)).map(([c]) => c);
    }
    method.planned++;
    if (plan.kind === 'always_allowed') return h.byClient.keys();
    if (plan.kind === 'always_denied') return [];
    const condition = plan.condition;
    const candidates = conditionNamesIds(condition) ? h.byClient : (h.distinct ??= distinct(h.byClient));
    return [...candidates].filter(([, rs]) => rs.some((r) => planMatches(condition, r, ancestorsOf))).map(([c]) => c);
  };

  const rows: AccessReviewRow[] = [];
  const agencyWide: AccessReview['agencyWide'] = [];
  const clientAgency = new Map(clients.map((c) => [c.uid.id, refId(c.attrs.agency)]));
  // The clients of each agency that hold buyer PII (orders): "every client" for the within-agency flag.
  const piiClients = new Map<string, number>();
  const orders = held.get('Order')!.byClient;
  for (const c of clients) {
    const a = clientAgency.get(c.uid.id);
    if (a && orders.has(c.uid.id)) piiClients.set(a, (piiClients.get(a) ?? 0) + 1);
  }
  let crossAgency = 0;
  users.forEach((u, i) => {
    const roles = u.parents.filter((p) => p.type === 'Role').map((p) => p.id);
    const userAgency = refId(u.attrs.agency);
    for (const [action, types] of REVIEW_ACTIONS) {
      const on = new Set<string>();
      for (const t of types) for (const c of allowedOn(u, action, t)) on.add(c);
      // In the order the clients are stored, as before; a resource of a client that is not stored lists nothing.
      const allowed = clients.filter((c) => on.has(c.uid.id)).map((c) => c.uid.id);
      for (const id of allowed) {
        const theirs = clientAgency.get(id);
        if (userAgency && theirs && userAgency !== theirs) crossAgency++;
      }
      if (allowed.length) rows.push({ user: u.uid.id, roles, agency: userAgency ?? null, action, clients: allowed });
      const own = userAgency ? (piiClients.get(userAgency) ?? 0) : 0;
      const agencyLevel = !u.parents.some((p) => p.type === 'Client');
      if (action === 'reveal_buyer_pii' && userAgency && agencyLevel && own > 0) {
        const onOwn = allowed.filter((id) => clientAgency.get(id) === userAgency).length;
        if (onOwn === own) agencyWide.push({ user: u.uid.id, roles, agency: userAgency, clients: own });
      }
    }
    onUser?.(i + 1, users.length);
  });
  return { rows, crossAgency, agencyWide, users: users.length, clients: clients.length, method };
}

/**
 * The plan for one (user, action, type), or undefined when decisions must answer instead: the planner refuses
 * (PlanUnsupportedError), or planning itself failed (the planner then answers "always denied" with the failure,
 * where decisions may still allow).
 */
function planFor(
  pdp: Pick<PolicyDecisionPoint, 'active' | 'refusedEntities'>,
  entities: () => Entity[],
  user: Entity,
  action: AccessReviewAction,
  type: string,
): Plan | undefined {
  let plan: Plan;
  try {
    plan = planWith(pdp, { all: entities }, { principal: user.uid, action: { id: action }, resourceType: type, context: CONTEXT });
  } catch (error) {
    if (error instanceof PlanUnsupportedError) return undefined;
    throw error;
  }
  if (plan.kind === 'always_denied' && plan.errors.some((e) => e.startsWith(PLANNING_FAILED))) return undefined;
  return plan;
}

/** Per client, the first resource of each distinct (attributes, parents). */
function distinct(byClient: Map<string, Entity[]>): Map<string, Entity[]> {
  const out = new Map<string, Entity[]>();
  for (const [client, resources] of byClient) {
    const seen = new Map<string, Entity>();
    for (const r of resources) {
      const key = JSON.stringify([r.attrs, r.parents]);
      if (!seen.has(key)) seen.set(key, r);
    }
    out.set(client, [...seen.values()]);
  }
  return out;
}

/**
 * What a plan for `type` is given: the stored entities of every type it could read. With the resource unknown, a
 * plan reads the principal (a User), the context, the entities the policies name, and the entities the resource's
 * attributes and parents can refer to — and, through their attributes, parents and tags, what those refer to, each
 * typed by the schema (entities that do not conform make the planner refuse). The resource's own type is read only
 * if something among these can refer to it; the other reviewed types, likewise. Without a schema, or with an open
 * record type on the way, everything.
 */
function planningEntities(all: Entity[], policy: CompiledPolicySet | undefined, type: string): Entity[] {
  const schema = policy?.evaluator.schema;
  if (!policy || !schema) return all;
  let open = false;
  const stack: string[] = ['User', ...referencedUids(CONTEXT).map((u) => u.type)];
  const collect = (t: SType | undefined): void => {
    if (t?.k === 'Entity') stack.push(t.name);
    else if (t?.k === 'Set') collect(t.el);
    else if (t?.k === 'Record') {
      if (t.open) open = true;
      for (const a of t.attrs.values()) collect(a);
    }
  };
  const own = schema.entityTypes.get(type);
  collect(own?.shape);
  collect(own?.tags);
  stack.push(...(own?.memberOfTypes ?? []));
  for (const a of schema.actions.values()) collect(a.context);
  // Entity literals (`Type::"id"`, `NS::Type::"id"`) anywhere in the text, comments included, and template links.
  for (const m of policy.policies.matchAll(/([A-Za-z_]\w*(?:\s*::\s*[A-Za-z_]\w*)*)\s*::\s*"/g)) stack.push(m[1].replace(/\s+/g, ''));
  for (const link of policy.links ?? []) for (const v of Object.values(link.values)) if (v) stack.push(v.type);
  const readable = new Set<string>();
  while (stack.length) {
    const t = stack.pop()!;
    if (readable.has(t)) continue;
    readable.add(t);
    const et = schema.entityTypes.get(t);
    stack.push(...(et?.memberOfTypes ?? []));
    collect(et?.shape);
    collect(et?.tags);
  }
  return open ? all : all.filter((e) => readable.has(e.uid.type));
}
