import { describe, expect, it } from 'vitest';
import type { Entity } from './entity.ts';
import { MemoryEntitySource } from './entity-source.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { compilePolicySet, validatePolicySet } from './policy-set.ts';

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
  {
    uid: { type: 'Doc', id: 'd1' },
    attrs: { agency: ref('Agency', 'a1'), client: ref('Client', 'c1'), integration: ref('Integration', 'ok') },
    parents: [{ type: 'Client', id: 'c1' }],
  },
  {
    uid: { type: 'Doc', id: 'd2' },
    attrs: { agency: ref('Agency', 'a1'), client: ref('Client', 'c1'), integration: ref('Integration', 'red') },
    parents: [{ type: 'Client', id: 'c1' }],
  },
];

function makePdp(store = new MemoryEntitySource(entities), text = policies, schemaText = schema) {
  const pdp = new PolicyDecisionPoint({ name: 'test', actionType: 'Action', entities: store });
  pdp.activate(compilePolicySet({ name: 'platform', policies: text, schema: schemaText }));
  return pdp;
}
const read = (user: string, doc: string, context?: Record<string, unknown>) => ({
  principal: { type: 'User', id: user },
  action: { id: 'read' },
  resource: { type: 'Doc', id: doc },
  context,
});

describe('policy set compilation', () => {
  it("keys policies by @id; a policy without one gets Cedar's positional id; ids are unique", () => {
    const c = compilePolicySet({ name: 'platform', policies, schema });
    expect(Object.keys(c.byId).sort()).toEqual(['forbid-not-ready', 'forbid-without-mfa', 'permit-same-agency']);
    const mixed = compilePolicySet({
      name: 'platform',
      schema,
      policies:
        'permit(principal, action, resource);\n@id("named") forbid(principal, action, resource) when { false };\nforbid(principal, action, resource) when { context has mfa && !context.mfa };',
    });
    expect(Object.keys(mixed.byId)).toEqual(['policy0', 'named', 'policy2']);
    const pdp = makePdp(new MemoryEntitySource(entities), mixed.policies);
    expect(pdp.authorize(read('u2', 'd1'))).toMatchObject({ decision: 'allow', reasons: ['policy0'] });
    expect(pdp.authorize(read('u2', 'd1', { mfa: false }))).toMatchObject({ decision: 'deny', reasons: ['policy2'] });
    expect(() => compilePolicySet({ name: 'platform', policies: policies + '\n@id("forbid-not-ready") forbid(principal, action, resource);', schema })).toThrow(
      /more than one/,
    );
    expect(() =>
      compilePolicySet({ name: 'platform', policies: '@id("policy1") permit(principal, action, resource);\npermit(principal, action, resource);', schema }),
    ).toThrow(/more than one/);
  });
  it('takes a Cedar JSON schema as well as schema text', () => {
    const json = JSON.stringify({
      '': {
        entityTypes: { User: {}, Doc: { shape: { type: 'Record', attributes: { owner: { type: 'Entity', name: 'User' } } } } },
        actions: { read: { appliesTo: { principalTypes: ['User'], resourceTypes: ['Doc'] } } },
      },
    });
    const store = new MemoryEntitySource([{ uid: { type: 'Doc', id: 'd' }, attrs: { owner: { type: 'User', id: 'alice' } }, parents: [] }]);
    const pdp = makePdp(store, '@id("owner") permit(principal, action, resource) when { resource.owner == principal };', json);
    expect(pdp.authorize({ principal: { type: 'User', id: 'alice' }, action: { id: 'read' }, resource: { type: 'Doc', id: 'd' } })).toMatchObject({
      decision: 'allow',
      reasons: ['owner'],
    });
    expect(pdp.authorize({ principal: { type: 'User', id: 'bob' }, action: { id: 'read' }, resource: { type: 'Doc', id: 'd' } }).decision).toBe('deny');
    expect(validatePolicySet({ name: 'platform', policies: '@id("x") permit(principal, action, resource);', schema: json }).ok).toBe(true);
    expect(() => compilePolicySet({ name: 'platform', policies, schema: '{ not json' })).toThrow(/JSON schema does not parse/);
  });
  it('strict validation names the policy and the problem', () => {
    const bad = validatePolicySet({
      name: 'platform',
      schema,
      policies: '@id("typo") permit(principal, action, resource) when { resource.agencyy == principal.agency };',
    });
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
    // A copy with a reference in the other JSON form is the same entity; one with other tags is not.
    const c1 = { uid: { type: 'Client', id: 'c1' }, attrs: { agency: { type: 'Agency', id: 'a1' } }, parents: [{ type: 'Agency', id: 'a1' }] };
    expect(pdp.authorize({ ...read('u1', 'd1'), entities: [c1] })).toMatchObject({ decision: 'allow', errors: [] });
    expect(pdp.authorize({ ...read('u1', 'd1'), entities: [{ ...c1, tags: { x: 'y' } }] }).decision).toBe('deny');
    // A document the store lacks is added for this request only.
    const d7 = {
      uid: { type: 'Doc', id: 'd7' },
      attrs: { agency: ref('Agency', 'a1'), client: ref('Client', 'c1'), integration: ref('Integration', 'ok') },
      parents: [{ type: 'Client', id: 'c1' }],
    };
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
    const orphan = {
      uid: { type: 'Doc', id: 'd9' },
      attrs: { agency: ref('Agency', 'a1'), client: ref('Client', 'c1'), integration: ref('Integration', 'gone') },
      parents: [{ type: 'Client', id: 'c1' }],
    };
    const d = pdp.authorize({ ...read('u1', 'd9'), entities: [orphan] });
    expect(d.decision).toBe('deny');
    expect(d.errors.join()).toMatch(/forbid-not-ready/);
    const empty = new PolicyDecisionPoint({ name: 'empty', actionType: 'Action' });
    expect(empty.authorize(read('u1', 'd1'))).toMatchObject({ decision: 'deny', errors: [expect.stringMatching(/no active policy/)] });
  });
  it('a deny says which of the principal and resource is not stored; an allow, or a deny over stored entities, says nothing', () => {
    const pdp = makePdp();
    expect(pdp.authorize(read('nobody', 'd1')).warnings).toEqual(['principal User::"nobody" is not stored']);
    expect(pdp.authorize(read('u1', 'nope')).warnings).toEqual(['resource Doc::"nope" is not stored']);
    expect(pdp.authorize(read('nobody', 'nope')).warnings).toEqual(['principal User::"nobody" is not stored', 'resource Doc::"nope" is not stored']);
    expect(pdp.authorize(read('u2', 'd1'))).not.toHaveProperty('warnings');
    expect(pdp.authorize(read('u1', 'd2'))).not.toHaveProperty('warnings');
    expect(pdp.authorize(read('u1', 'd1'))).not.toHaveProperty('warnings');
    // An entity the request supplies is there for this decision: not "not stored".
    const d7 = {
      uid: { type: 'Doc', id: 'd7' },
      attrs: { agency: ref('Agency', 'a2'), client: ref('Client', 'c1'), integration: ref('Integration', 'ok') },
      parents: [{ type: 'Client', id: 'c1' }],
    };
    const supplied = pdp.authorize({ ...read('u1', 'd7'), entities: [d7] });
    expect(supplied.decision).toBe('deny');
    expect(supplied).not.toHaveProperty('warnings');
    // An id that is personal data is masked, as in errors.
    const phone = pdp.authorize(read('9876543210', 'd1')).warnings ?? [];
    expect(phone).toHaveLength(1);
    expect(phone[0]).not.toContain('9876543210');
  });
});

describe('PolicyDecisionPoint over the entity store, in place', () => {
  it('follows the store: a write or a removal changes the next decision, with no cache to go stale', () => {
    const store = new MemoryEntitySource(entities);
    const pdp = makePdp(store);
    expect(pdp.authorize(read('u1', 'd1')).decision).toBe('allow');
    store.put({ uid: { type: 'Integration', id: 'ok' }, attrs: { ready: false, provider: 'ok' }, parents: [] });
    expect(pdp.authorize(read('u1', 'd1'))).toMatchObject({ decision: 'deny', reasons: ['forbid-not-ready'] });
    store.put({ uid: { type: 'Integration', id: 'ok' }, attrs: { ready: true, provider: 'ok' }, parents: [] });
    expect(pdp.authorize(read('u1', 'd1')).decision).toBe('allow');
    // u1 moves to agency a2: `principal in resource.agency` reads the ancestor closure, updated on the write.
    store.put({ uid: { type: 'User', id: 'u1' }, attrs: { agency: ref('Agency', 'a2') }, parents: [{ type: 'Agency', id: 'a2' }] });
    expect(pdp.authorize(read('u1', 'd1')).decision).toBe('deny');
    store.remove({ type: 'Doc', id: 'd1' });
    expect(pdp.authorize(read('u2', 'd1'))).toMatchObject({ decision: 'deny' });
    expect(pdp.authorize(read('u2', 'd1')).entityVersion).toBe(store.version);
  });

  it('an owner check cannot be served to another principal (resource.owner == principal, references stored as {id, type})', () => {
    const s = 'entity User; entity Doc { owner: User }; action read appliesTo { principal: User, resource: Doc };';
    // Stored the way PostgreSQL jsonb hands objects back: keys sorted, so {"id", "type"}.
    const store = new MemoryEntitySource([{ uid: { type: 'Doc', id: 'd' }, attrs: { owner: { __entity: { id: 'alice', type: 'User' } } }, parents: [] }]);
    const pdp = makePdp(store, '@id("owner") permit(principal, action, resource) when { resource.owner == principal };', s);
    const as = (id: string) => pdp.authorize({ principal: { type: 'User', id }, action: { id: 'read' }, resource: { type: 'Doc', id: 'd' } }).decision;
    expect([as('alice'), as('bob'), as('alice'), as('bob')]).toEqual(['allow', 'deny', 'allow', 'deny']);
  });

  const orgSchema = `
entity Group;
entity Flags { enabled: Bool };
entity User in [Group] { manager?: User, frozen?: Bool };
entity Repo { owner: User, viewers: Set<User>, ip: ipaddr };
entity Tagged tags String;
action admin;
action write in [admin];
action edit in [write] appliesTo { principal: User, resource: Repo, context: { by?: User } };
action view appliesTo { principal: User, resource: [Repo, Tagged] };
`;
  const org: Entity[] = [
    { uid: { type: 'Group', id: 'suspended' }, attrs: {}, parents: [] },
    { uid: { type: 'Flags', id: 'lockdown' }, attrs: { enabled: false }, parents: [] },
    { uid: { type: 'User', id: 'boss' }, attrs: { frozen: true }, parents: [{ type: 'Group', id: 'suspended' }] },
    { uid: { type: 'User', id: 'mid' }, attrs: { manager: ref('User', 'boss') }, parents: [] },
    { uid: { type: 'User', id: 'dev' }, attrs: { manager: ref('User', 'mid') }, parents: [] },
    { uid: { type: 'User', id: 'solo' }, attrs: {}, parents: [] },
    // `viewers` holds a user the store does not have: still a member.
    { uid: { type: 'Repo', id: 'r' }, attrs: { owner: ref('User', 'dev'), viewers: [ref('User', 'ghost'), ref('User', 'solo')], ip: '10.0.0.1' }, parents: [] },
    { uid: { type: 'Tagged', id: 't' }, attrs: {}, parents: [], tags: { team: 'red' } } as Entity,
  ];
  const orgPdp = (text: string, store = new MemoryEntitySource(org)) => makePdp(store, `@id("all") permit(principal, action, resource);\n${text}`, orgSchema);
  const edit = (user: string, context?: Record<string, unknown>) => ({
    principal: { type: 'User', id: user },
    action: { id: 'edit' },
    resource: { type: 'Repo', id: 'r' },
    context,
  });

  it('action groups: a forbid on a group stops the actions in it, transitively', () => {
    const pdp = orgPdp('@id("no-admin") forbid(principal, action in Action::"admin", resource) when { principal == User::"solo" };');
    expect(pdp.authorize(edit('solo'))).toMatchObject({ decision: 'deny', reasons: ['no-admin'] });
    expect(pdp.authorize(edit('dev')).decision).toBe('allow');
  });
  it('navigation several hops deep, and `has` on an entity reached that way', () => {
    const pdp = orgPdp(
      '@id("chain") forbid(principal, action, resource) when { resource.owner.manager.manager in Group::"suspended" || (resource.owner.manager.manager has frozen && resource.owner.manager.manager.frozen) };',
    );
    expect(pdp.authorize(edit('solo'))).toMatchObject({ decision: 'deny', reasons: ['chain'] });
  });
  it('entities named in the context and literal entities in policies are read from the store', () => {
    const ctx = orgPdp('@id("ctx") forbid(principal, action, resource) when { context has by && context.by in Group::"suspended" };');
    expect(ctx.authorize(edit('solo', { by: { type: 'User', id: 'boss' } }))).toMatchObject({ decision: 'deny', reasons: ['ctx'] });
    expect(ctx.authorize(edit('solo', { by: { __entity: { type: 'User', id: 'mid' } } })).decision).toBe('allow');
    const store = new MemoryEntitySource(org);
    const lit = orgPdp('@id("lockdown") forbid(principal, action, resource) when { Flags::"lockdown".enabled };', store);
    expect(lit.authorize(edit('solo')).decision).toBe('allow');
    store.put({ uid: { type: 'Flags', id: 'lockdown' }, attrs: { enabled: true }, parents: [] });
    expect(lit.authorize(edit('solo'))).toMatchObject({ decision: 'deny', reasons: ['lockdown'] });
  });
  it('set members that are not stored entities still count; schema-typed implicit JSON reads as Cedar reads it; tags', () => {
    const sets = orgPdp(
      '@id("ghosts") forbid(principal, action, resource) when { resource.viewers.contains(User::"ghost") && [resource.viewers].contains([principal]) == false && resource.ip.isInRange(ip("10.0.0.0/8")) };',
    );
    expect(sets.authorize(edit('dev'))).toMatchObject({ decision: 'deny', reasons: ['ghosts'] });
    const tags = orgPdp(
      '@id("red-team") forbid(principal, action, resource) when { resource has team || (resource is Tagged && resource.hasTag("team") && resource.getTag("team") == "red") };',
    );
    expect(tags.authorize({ principal: { type: 'User', id: 'dev' }, action: { id: 'view' }, resource: { type: 'Tagged', id: 't' } })).toMatchObject({
      decision: 'deny',
      reasons: ['red-team'],
    });
  });
  it('a permit that errors is skipped as Cedar skips it (and named); a forbid that errors denies', () => {
    const permitErr = orgPdp('@id("bad-permit") permit(principal, action, resource) when { principal.manager.frozen };');
    const d = permitErr.authorize(edit('solo'));
    expect(d).toMatchObject({ decision: 'allow', reasons: ['all'] });
    expect(d.errors).toEqual([expect.stringMatching(/^bad-permit: /)]);
    const forbidErr = orgPdp('@id("bad-forbid") forbid(principal, action, resource) when { principal.manager.frozen };');
    expect(forbidErr.authorize(edit('solo'))).toMatchObject({ decision: 'deny', reasons: [], errors: [expect.stringMatching(/^bad-forbid: /)] });
  });
  it('a stored entity the active schema refuses is held: decisions that read it, or an entity below it, deny; others stand', () => {
    const store = new MemoryEntitySource(org);
    const pdp = orgPdp('@id("frozen") forbid(principal, action, resource) when { principal has frozen && principal.frozen };', store);
    // Written under an older schema, say: `frozen` as a string.
    store.put({ uid: { type: 'User', id: 'solo' }, attrs: { frozen: 'yes' }, parents: [{ type: 'Group', id: 'suspended' }] });
    expect(pdp.refusedEntities.has('User::"solo"')).toBe(true);
    expect(pdp.authorize(edit('solo'))).toMatchObject({
      decision: 'deny',
      errors: [expect.stringMatching(/User::"solo" does not conform to the active schema/)],
    });
    expect(pdp.authorize(edit('dev')).decision).toBe('allow');
    store.put({ uid: { type: 'Group', id: 'suspended' }, attrs: { junk: 1 }, parents: [] });
    expect(pdp.authorize(edit('boss'))).toMatchObject({ decision: 'deny', errors: [expect.stringMatching(/an ancestor of User::"boss"/)] });
    store.put({ uid: { type: 'Group', id: 'suspended' }, attrs: {}, parents: [] }, { uid: { type: 'User', id: 'solo' }, attrs: {}, parents: [] });
    expect(pdp.refusedEntities.size).toBe(0);
    expect(pdp.authorize(edit('solo')).decision).toBe('allow');
  });
  it('a write that would close a cycle in the hierarchy is refused for decisions, not looped on', () => {
    const s = 'entity G in [G]; entity U in [G]; action a appliesTo { principal: U, resource: G };';
    const store = new MemoryEntitySource([
      { uid: { type: 'G', id: 'g1' }, attrs: {}, parents: [] },
      { uid: { type: 'G', id: 'g2' }, attrs: {}, parents: [{ type: 'G', id: 'g1' }] },
      { uid: { type: 'U', id: 'u' }, attrs: {}, parents: [{ type: 'G', id: 'g2' }] },
    ]);
    const pdp = makePdp(store, '@id("in") permit(principal, action, resource) when { principal in resource };', s);
    const a = (g: string) => pdp.authorize({ principal: { type: 'U', id: 'u' }, action: { id: 'a' }, resource: { type: 'G', id: g } });
    expect(a('g1').decision).toBe('allow');
    store.put({ uid: { type: 'G', id: 'g1' }, attrs: {}, parents: [{ type: 'G', id: 'g2' }] });
    expect(a('g1')).toMatchObject({ decision: 'deny', errors: [expect.stringMatching(/cycle/)] });
  });
  it("namespaced action types: a request names its action type, or takes the schema's only one", () => {
    const s = 'namespace Shop { entity User; entity Order; action read appliesTo { principal: User, resource: Order }; }';
    const pdp = makePdp(new MemoryEntitySource(), '@id("r") permit(principal, action == Shop::Action::"read", resource);', s);
    expect([...pdp.actionTypes]).toEqual(['Shop::Action']);
    const req = { principal: { type: 'Shop::User', id: 'u' }, resource: { type: 'Shop::Order', id: 'o' } };
    expect(pdp.authorize({ ...req, action: { id: 'read' } })).toMatchObject({ decision: 'allow', reasons: ['r'] });
    expect(pdp.authorize({ ...req, action: { type: 'Shop::Action', id: 'read' } })).toMatchObject({ decision: 'allow', reasons: ['r'] });
    expect(pdp.authorize({ ...req, action: { type: 'Action', id: 'read' } })).toMatchObject({
      decision: 'deny',
      errors: [expect.stringMatching(/not declared/)],
    });
  });
  it('request entities are checked against the schema like stored ones', () => {
    const pdp = makePdp();
    const bad = { uid: { type: 'Doc', id: 'd8' }, attrs: { agency: 'a1' }, parents: [] };
    expect(pdp.authorize({ ...read('u1', 'd8'), entities: [bad] })).toMatchObject({
      decision: 'deny',
      errors: [expect.stringMatching(/^request entities are invalid/)],
    });
    expect(pdp.checkEntities([bad])).toEqual([{ uid: bad.uid, message: expect.stringMatching(/does not conform/) }]);
  });
});

describe('templates and links', () => {
  const s = 'entity User; entity Report; action read appliesTo { principal: User, resource: Report };';
  const text =
    '@id("may-read") permit(principal == ?principal, action == Action::"read", resource == ?resource);\n@id("nobody-else") forbid(principal == User::"mallory", action, resource);';
  const link = (newId: string, user: string, report: string) => ({
    templateId: 'may-read',
    newId,
    values: { '?principal': { type: 'User', id: user }, '?resource': { type: 'Report', id: report } },
  });
  const ask = (pdp: PolicyDecisionPoint, user: string, report: string) =>
    pdp.authorize({ principal: { type: 'User', id: user }, action: { id: 'read' }, resource: { type: 'Report', id: report } });

  it('a template decides nothing until linked; each link is a policy of its own, named by its id', () => {
    const pdp = new PolicyDecisionPoint({ name: 't', actionType: 'Action', entities: new MemoryEntitySource() });
    const bare = compilePolicySet({ name: 'platform', policies: text, schema: s });
    expect(Object.keys(bare.templates)).toEqual(['may-read']);
    pdp.activate(bare);
    expect(ask(pdp, 'carol', 'r1').decision).toBe('deny');
    const linked = compilePolicySet({
      name: 'platform',
      policies: text,
      schema: s,
      links: [link('carol-r1', 'carol', 'r1'), link('mallory-r1', 'mallory', 'r1')],
    });
    expect(linked.hash).not.toBe(bare.hash);
    pdp.activate(linked);
    expect(ask(pdp, 'carol', 'r1')).toMatchObject({ decision: 'allow', reasons: ['carol-r1'] });
    expect(ask(pdp, 'carol', 'r2').decision).toBe('deny');
    expect(ask(pdp, 'mallory', 'r1')).toMatchObject({ decision: 'deny', reasons: ['nobody-else'] });
  });
  it('refuses a link to a missing template, and a link id another policy has', () => {
    expect(() => compilePolicySet({ name: 'platform', policies: text, schema: s, links: [{ ...link('x', 'a', 'b'), templateId: 'nope' }] })).toThrow(
      /no template "nope"/,
    );
    expect(() => compilePolicySet({ name: 'platform', policies: text, schema: s, links: [link('nobody-else', 'a', 'b')] })).toThrow(/more than one/);
  });
  it('strict validation covers templates and links', () => {
    expect(validatePolicySet({ name: 'platform', policies: text, schema: s, links: [link('l', 'carol', 'r1')] }).ok).toBe(true);
    const wrongType = { templateId: 'may-read', newId: 'l', values: { '?principal': { type: 'Report', id: 'x' }, '?resource': { type: 'Report', id: 'r1' } } };
    expect(validatePolicySet({ name: 'platform', policies: text, schema: s, links: [wrongType] }).ok).toBe(false);
  });
});
