import { describe, expect, it } from 'vitest';
import { uidKey, type Entity } from './entity.ts';
import { indexEntity, sliceEntities, type IndexedEntity } from './entity-slice.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { actionPlan, compilePolicySet, PolicySetError, validatePolicySet } from './policy-set.ts';

const schema = `
entity Agency;
entity Integration { ready: Bool, provider: String, note?: String };
entity Client in [Agency] { agency: Agency };
entity User in [Agency] { agency: Agency, nickname?: String };
entity Doc in [Client] { agency: Agency, client: Client, integration: Integration };
action read appliesTo { principal: User, resource: Doc, context: { mfa?: Bool } };
`;
const policies = `
@id("permit-same-agency")
permit (principal, action == Action::"read", resource) when { principal in resource.agency };

@id("forbid-not-ready")
forbid (principal, action, resource) unless { resource.integration.ready };

@id("forbid-without-mfa")
forbid (principal, action, resource) when { context has mfa && !context.mfa };
`;

const ref = (type: string, id: string) => ({ __entity: { type, id } });
const entities: Entity[] = [
  { uid: { type: 'Agency', id: 'a1' }, attrs: {}, parents: [] },
  { uid: { type: 'Agency', id: 'a2' }, attrs: {}, parents: [] },
  { uid: { type: 'Integration', id: 'ok' }, attrs: { ready: true, provider: 'ok', note: 'unused by policies' }, parents: [] },
  { uid: { type: 'Integration', id: 'red' }, attrs: { ready: false, provider: 'red' }, parents: [] },
  { uid: { type: 'Client', id: 'c1' }, attrs: { agency: ref('Agency', 'a1') }, parents: [{ type: 'Agency', id: 'a1' }] },
  { uid: { type: 'User', id: 'u1' }, attrs: { agency: ref('Agency', 'a1'), nickname: 'x' }, parents: [{ type: 'Agency', id: 'a1' }] },
  { uid: { type: 'User', id: 'u2' }, attrs: { agency: ref('Agency', 'a2') }, parents: [{ type: 'Agency', id: 'a2' }] },
  { uid: { type: 'Doc', id: 'd1' }, attrs: { agency: ref('Agency', 'a1'), client: ref('Client', 'c1'), integration: ref('Integration', 'ok') }, parents: [{ type: 'Client', id: 'c1' }] },
  { uid: { type: 'Doc', id: 'd2' }, attrs: { agency: ref('Agency', 'a1'), client: ref('Client', 'c1'), integration: ref('Integration', 'red') }, parents: [{ type: 'Client', id: 'c1' }] },
];
const store = new Map<string, IndexedEntity>(entities.map((e) => [uidKey(e.uid), indexEntity(e)]));

function makePdp() {
  const pdp = new PolicyDecisionPoint({ name: 'test', actionType: 'Action', lookup: (k) => store.get(k) });
  pdp.activate(compilePolicySet({ name: 'platform', policies, schema }));
  return pdp;
}
const read = (user: string, doc: string, context?: Record<string, unknown>) => ({
  principal: { type: 'User', id: user }, action: { id: 'read' }, resource: { type: 'Doc', id: doc }, context,
});

describe('policy set compilation', () => {
  it('keys policies by @id, and an action plan lists what they read by entity type', () => {
    const c = compilePolicySet({ name: 'platform', policies, schema });
    expect(Object.keys(c.byId).sort()).toEqual(['forbid-not-ready', 'forbid-without-mfa', 'permit-same-agency']);
    const plan = actionPlan(c, 'Action', 'read');
    expect(Object.fromEntries([...plan.readByType].map(([t, a]) => [t, [...a].sort()]))).toEqual({ Doc: ['agency', 'integration'], Integration: ['ready'] });
  });
  it('refuses a policy without @id, and duplicate ids', () => {
    expect(() => compilePolicySet({ name: 'platform', policies: 'permit(principal, action, resource);', schema })).toThrow(PolicySetError);
    expect(() => compilePolicySet({ name: 'platform', policies: policies + '\n@id("forbid-not-ready") forbid(principal, action, resource);', schema })).toThrow(/more than one/);
  });
  it('strict validation names the policy and the problem', () => {
    const bad = validatePolicySet({ name: 'platform', schema, policies: '@id("typo") permit(principal, action, resource) when { resource.agencyy == principal.agency };' });
    expect(bad.ok).toBe(false);
    expect(bad.errors.join('\n')).toMatch(/typo/);
  });
});

describe('PolicyDecisionPoint', () => {
  it('allows within the agency and reports the determining policy', () => {
    const d = makePdp().authorize(read('u1', 'd1'));
    expect(d).toMatchObject({ decision: 'allow', reasons: ['permit-same-agency'], errors: [] });
    expect(d.policyHash).toMatch(/^[0-9a-f]{64}$/);
  });
  it('denies across agencies by default, naming no policy', () => {
    expect(makePdp().authorize(read('u2', 'd1'))).toMatchObject({ decision: 'deny', reasons: [], errors: [] });
  });
  it('a forbid names itself', () => {
    expect(makePdp().authorize(read('u1', 'd2'))).toMatchObject({ decision: 'deny', reasons: ['forbid-not-ready'] });
    expect(makePdp().authorize(read('u1', 'd1', { mfa: false }))).toMatchObject({ decision: 'deny', reasons: ['forbid-without-mfa'] });
  });
  it('request entities add to the store for that request only, and never replace a stored one', () => {
    const pdp = makePdp();
    // A forged posture for a stored integration is refused: a deny naming it, never the forged answer.
    const redOk = { uid: { type: 'Integration', id: 'red' }, attrs: { ready: true, provider: 'red' }, parents: [] };
    const forged = pdp.authorize({ ...read('u1', 'd1'), entities: [redOk] });
    expect(forged).toMatchObject({ decision: 'deny', reasons: [] });
    expect(forged.errors).toEqual([expect.stringMatching(/^request entity Integration::"red" differs from the stored one/)]);
    // A copy identical to the stored one changes nothing (in-process probes send such copies).
    const redCopy = { uid: { type: 'Integration', id: 'red' }, attrs: { provider: 'red', ready: false }, parents: [] };
    expect(pdp.authorize({ ...read('u1', 'd2'), entities: [redCopy] })).toMatchObject({ decision: 'deny', reasons: ['forbid-not-ready'], errors: [] });
    expect(pdp.authorize({ ...read('u1', 'd1'), entities: [redCopy] })).toMatchObject({ decision: 'allow', errors: [] });
    // A document the store lacks is added for this request only.
    const d7 = { uid: { type: 'Doc', id: 'd7' }, attrs: { agency: ref('Agency', 'a1'), client: ref('Client', 'c1'), integration: ref('Integration', 'ok') }, parents: [{ type: 'Client', id: 'c1' }] };
    expect(pdp.authorize({ ...read('u1', 'd7'), entities: [d7] }).decision).toBe('allow');
    expect(pdp.authorize(read('u1', 'd7')).decision).toBe('deny');
  });
  it('fails closed: schema-invalid request, unknown entity, evaluation error, no policy', () => {
    const pdp = makePdp();
    const badContext = pdp.authorize(read('u1', 'd1', { mfa: 'yes' }));
    expect(badContext.decision).toBe('deny');
    expect(badContext.errors.length).toBeGreaterThan(0);
    expect(pdp.authorize(read('u1', 'nope')).decision).toBe('deny');
    // A forbid that errors (the integration is missing) would be skipped by Cedar; we deny instead.
    const orphan = { uid: { type: 'Doc', id: 'd9' }, attrs: { agency: ref('Agency', 'a1'), client: ref('Client', 'c1'), integration: ref('Integration', 'gone') }, parents: [{ type: 'Client', id: 'c1' }] };
    const d = pdp.authorize({ ...read('u1', 'd9'), entities: [orphan] });
    expect(d.decision).toBe('deny');
    expect(d.errors.join()).toMatch(/forbid-not-ready/);
    const empty = new PolicyDecisionPoint({ name: 'empty', actionType: 'Action' });
    expect(empty.authorize(read('u1', 'd1'))).toMatchObject({ decision: 'deny', errors: [expect.stringMatching(/no active policy/)] });
  });
});

describe('sliceEntities', () => {
  it('hands the evaluator the principal, the resource, their references and ancestors, trimmed', () => {
    const c = compilePolicySet({ name: 'platform', policies, schema });
    const slice = sliceEntities({ principal: { type: 'User', id: 'u1' }, resource: { type: 'Doc', id: 'd1' }, lookup: (k) => store.get(k), plan: actionPlan(c, 'Action', 'read') });
    // Agency a1 is an ancestor with nothing to say but its name: Cedar learns it from the parent lists.
    expect(slice.map((e) => uidKey(e.uid)).sort()).toEqual(['Client::"c1"', 'Doc::"d1"', 'Integration::"ok"', 'User::"u1"'].sort());
    // Attributes no policy reads are not handed over.
    // Only what the policies read, by type: Integration.ready, Doc.agency and Doc.integration; nothing of User
    // (no policy reads principal.agency or nickname) nor of Client (reached as an ancestor).
    expect(slice.find((e) => e.uid.id === 'ok')?.attrs).toEqual({ ready: true });
    expect(slice.find((e) => e.uid.id === 'd1')?.attrs).toEqual({ agency: ref('Agency', 'a1'), integration: ref('Integration', 'ok') });
    expect(slice.find((e) => e.uid.id === 'u1')?.attrs).toEqual({});
    expect(slice.find((e) => e.uid.id === 'c1')?.attrs).toEqual({});
    expect(slice.some((e) => e.uid.id === 'u2' || e.uid.id === 'a2' || e.uid.id === 'red')).toBe(false);
  });
});

describe('action plans', () => {
  it('keep only the policies whose scope can match the action', () => {
    const c = compilePolicySet({ name: 'platform', policies, schema });
    expect(actionPlan(c, 'Action', 'read').policyIds.sort()).toEqual(['forbid-not-ready', 'forbid-without-mfa', 'permit-same-agency']);
    const scoped = compilePolicySet({ name: 'platform', schema, policies: policies + '\n@id("only-write") forbid(principal, action == Action::"write", resource) when { principal.nickname == "x" };' });
    expect(actionPlan(scoped, 'Action', 'read').policyIds).not.toContain('only-write');
  });
});

describe('set trimming', () => {
  const setSchema = `
entity Integration;
entity Client { integrations: Set<Integration> };
entity User;
entity Doc { client: Client, integration: Integration };
action read appliesTo { principal: User, resource: Doc };`;
  const many = ['i1', 'i2', 'i3', 'i4', 'i5'].map((i) => ref('Integration', i));
  const ents: Entity[] = [
    { uid: { type: 'Client', id: 'c' }, attrs: { integrations: many }, parents: [] },
    { uid: { type: 'User', id: 'u' }, attrs: {}, parents: [] },
    { uid: { type: 'Doc', id: 'd' }, attrs: { client: ref('Client', 'c'), integration: ref('Integration', 'i3') }, parents: [] },
    { uid: { type: 'Doc', id: 'e' }, attrs: { client: ref('Client', 'c'), integration: ref('Integration', 'i9') }, parents: [] },
  ];
  const s = new Map(ents.map((e) => [uidKey(e.uid), indexEntity(e)]));
  const decide = (pol: string, doc: string) => {
    const pdp = new PolicyDecisionPoint({ name: 'sets', actionType: 'Action', lookup: (k) => s.get(k) });
    pdp.activate(compilePolicySet({ name: 'platform', schema: setSchema, policies: pol }));
    return pdp.authorize({ principal: { type: 'User', id: 'u' }, action: { id: 'read' }, resource: { type: 'Doc', id: doc } });
  };
  it('keeps only the elements a request can name when policies only test membership', () => {
    const pol = '@id("connected") permit(principal, action, resource) when { resource.client.integrations.contains(resource.integration) };';
    const c = compilePolicySet({ name: 'platform', schema: setSchema, policies: pol });
    expect([...c.trimmableSets]).toEqual(['integrations']);
    const slice = sliceEntities({ principal: { type: 'User', id: 'u' }, resource: { type: 'Doc', id: 'd' }, lookup: (k) => s.get(k), plan: actionPlan(c, 'Action', 'read') });
    expect(slice.find((e) => e.uid.type === 'Client')?.attrs.integrations).toEqual([ref('Integration', 'i3')]);
    expect(decide(pol, 'd').decision).toBe('allow');
    expect(decide(pol, 'e').decision).toBe('deny');
  });
  it('keeps literal uids, and never trims a set whose emptiness or equality is tested', () => {
    const literal = '@id("lit") permit(principal, action, resource) when { resource.client.integrations.contains(Integration::"i5") };';
    expect(decide(literal, 'd').decision).toBe('allow');
    const empty = '@id("empty") permit(principal, action, resource) when { !resource.client.integrations.isEmpty() };';
    expect(compilePolicySet({ name: 'platform', schema: setSchema, policies: empty }).trimmableSets.size).toBe(0);
    const arg = '@id("arg") permit(principal, action, resource) when { [Integration::"i1", Integration::"i2"].containsAll(resource.client.integrations) };';
    expect(compilePolicySet({ name: 'platform', schema: setSchema, policies: arg }).trimmableSets.size).toBe(0);
    expect(decide(arg, 'd').decision).toBe('deny');
  });
});

describe('decision cache', () => {
  it('serves a repeated decision from the cache, and a changed entity misses', () => {
    const local = new Map(store);
    const pdp = new PolicyDecisionPoint({ name: 'cache', actionType: 'Action', lookup: (k) => local.get(k) });
    pdp.activate(compilePolicySet({ name: 'platform', policies, schema }));
    expect(pdp.authorize(read('u1', 'd1')).decision).toBe('allow');
    expect(pdp.authorize(read('u1', 'd1')).decision).toBe('allow');
    expect(pdp.cache!.hits).toBe(1);
    // The integration turns red: the slice content changes, so the key changes.
    local.set('Integration::"ok"', indexEntity({ uid: { type: 'Integration', id: 'ok' }, attrs: { ready: false, provider: 'ok' }, parents: [] }));
    expect(pdp.authorize(read('u1', 'd1'))).toMatchObject({ decision: 'deny', reasons: ['forbid-not-ready'] });
  });
  it('shares a decision between uids nothing can tell apart, never between uids a policy names', () => {
    const named = policies + '\n@id("forbid-u9") forbid(principal == User::"u9", action, resource);';
    const local = new Map(store);
    local.set('User::"u9"', indexEntity({ uid: { type: 'User', id: 'u9' }, attrs: { agency: ref('Agency', 'a1') }, parents: [{ type: 'Agency', id: 'a1' }] }));
    const pdp = new PolicyDecisionPoint({ name: 'cache2', actionType: 'Action', lookup: (k) => local.get(k) });
    pdp.activate(compilePolicySet({ name: 'platform', policies: named, schema }));
    expect(pdp.authorize(read('u1', 'd1')).decision).toBe('allow');
    expect(pdp.authorize(read('u9', 'd1'))).toMatchObject({ decision: 'deny', reasons: ['forbid-u9'] });
    const plain = new PolicyDecisionPoint({ name: 'cache3', actionType: 'Action', lookup: (k) => local.get(k) });
    plain.activate(compilePolicySet({ name: 'platform', policies, schema }));
    plain.authorize(read('u1', 'd1'));
    expect(plain.authorize(read('u9', 'd1')).decision).toBe('allow');
    expect(plain.cache!.hits).toBe(1);
  });
});
