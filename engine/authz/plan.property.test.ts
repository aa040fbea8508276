import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uidKey, type Entity } from './entity.ts';
import { MemoryEntitySource } from './entity-source.ts';
import { PolicyDecisionPoint } from './pdp.ts';
import { planAuthorization, PlanUnsupportedError } from './plan.ts';
import { planMatches } from './plan-match.ts';
import { compilePolicySet } from './policy-set.ts';

// The planner on random policies (not only the platform's): every construct it reads — `&&`, `||`, `!`,
// if-then-else, `==`, `in`, `contains`, `has`, `is`, comparisons, attributes of referenced entities, stored or not —
// must give a condition that holds for exactly the resources the PDP allows, or refuse (422), never differ.

const SCHEMA = `
entity Team { lead: User, archived: Bool, level: Long, labels: Set<String> };
entity User in [Team] { level: Long };
entity Doc in [Team] { owner: User, team: Team, labels: Set<String>, level: Long, public: Bool, title: String };
action read appliesTo { principal: [User], resource: [Doc], context: { flag: Bool } };
`;

const ATOMS = [
  'resource.public',
  'resource.owner == principal',
  'principal in resource.team',
  'resource in Team::"t0"',
  'resource in [Team::"t1", Team::"t3"]',
  'resource.team.archived',
  'resource.team.lead == principal',
  'resource.labels.contains("vip")',
  '["a", "vip"].contains(resource.title)',
  'resource.team.labels.contains("x")',
  'resource.team.level > 2',
  'resource.owner.level <= principal.level',
  'context.flag',
  'resource has title',
  'resource.team has lead',
  'resource.team == Team::"t0"',
  'resource.title != "a"',
  'resource is Doc',
  'resource == Doc::"d1"',
  'resource != Doc::"d0"',
  '[Doc::"d2", Team::"t0"].contains(resource)',
  'resource.team.labels.containsAny(["x", "y"])',
];
/** Beyond the condition language: comparisons of a resource attribute other than equality, two attributes. */
const REFUSED = ['resource.level > 2', 'resource.owner in resource.team'];

type Cond = string;
const cond: fc.Arbitrary<Cond> = fc.letrec<{ c: Cond }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...ATOMS),
    fc.tuple(tie('c'), tie('c')).map(([a, b]) => `(${a} && ${b})`),
    fc.tuple(tie('c'), tie('c')).map(([a, b]) => `(${a} || ${b})`),
    tie('c').map((a) => `!(${a})`),
    fc.tuple(tie('c'), tie('c'), tie('c')).map(([a, b, c]) => `(if ${a} then ${b} else ${c})`),
  ),
})).c;

const ref = (type: string, id: string) => ({ __entity: { type, id } });
const TEAMS = ['t0', 't1', 't2', 't3'];
const USERS = ['u0', 'u1', 'u2', 'u9'];

const world = fc.record({
  storedTeams: fc.subarray(TEAMS),
  teams: fc.array(
    fc.record({ lead: fc.constantFrom(...USERS), archived: fc.boolean(), level: fc.integer({ min: 0, max: 4 }), labels: fc.subarray(['x', 'y', 'z']) }),
    {
      minLength: 4,
      maxLength: 4,
    },
  ),
  users: fc.array(fc.record({ teams: fc.subarray(TEAMS), level: fc.integer({ min: 0, max: 4 }) }), { minLength: 3, maxLength: 3 }),
  docs: fc.array(
    fc.record({
      owner: fc.constantFrom(...USERS),
      team: fc.constantFrom(...TEAMS),
      labels: fc.subarray(['vip', 'old']),
      level: fc.integer({ min: 0, max: 4 }),
      public: fc.boolean(),
      title: fc.constantFrom('a', 'b', 'vip'),
    }),
    { minLength: 1, maxLength: 8 },
  ),
});

type World = typeof world extends fc.Arbitrary<infer T> ? T : never;

function entitiesOf(w: World): { entities: Entity[]; docs: Entity[] } {
  const entities: Entity[] = [];
  TEAMS.forEach((t, i) => {
    if (!w.storedTeams.includes(t)) return;
    const team = w.teams[i];
    entities.push({
      uid: { type: 'Team', id: t },
      attrs: { lead: ref('User', team.lead), archived: team.archived, level: team.level, labels: team.labels },
      parents: [],
    });
  });
  w.users.forEach((u, i) =>
    entities.push({ uid: { type: 'User', id: `u${i}` }, attrs: { level: u.level }, parents: u.teams.map((t) => ({ type: 'Team', id: t })) }),
  );
  const docs = w.docs.map((d, i): Entity => ({
    uid: { type: 'Doc', id: `d${i}` },
    attrs: { owner: ref('User', d.owner), team: ref('Team', d.team), labels: d.labels, level: d.level, public: d.public, title: d.title },
    parents: [{ type: 'Team', id: d.team }],
  }));
  entities.push(...docs);
  return { entities, docs };
}

describe('plans over random policies (fast-check)', () => {
  it('the condition holds for exactly the resources the PDP allows, for every construct the planner reads', () => {
    let planned = 0;
    let refused = 0;
    const reasons = new Set<string>();
    fc.assert(
      fc.property(
        fc.array(cond, { minLength: 1, maxLength: 3 }),
        fc.array(cond, { maxLength: 2 }),
        world,
        fc.constantFrom('u0', 'u1', 'u2', 'u9'),
        fc.boolean(),
        (permits, forbids, w, user, flag) => {
          const policies = [
            ...permits.map((c, i) => `@id("p${i}") permit (principal, action, resource) when { ${c} };`),
            ...forbids.map((c, i) => `@id("f${i}") forbid (principal, action, resource) when { ${c} };`),
          ].join('\n');
          const policy = compilePolicySet({ name: 'platform', schema: SCHEMA, policies });
          const { entities, docs } = entitiesOf(w);
          const pdp = new PolicyDecisionPoint({ name: 'prop', actionType: 'Action', entities: new MemoryEntitySource(entities) });
          pdp.activate(policy);
          const principal = { type: 'User', id: user };
          const context = { flag };
          let plan;
          try {
            plan = planAuthorization({ policy, entities, actionType: 'Action', request: { principal, action: { id: 'read' }, resourceType: 'Doc', context } });
          } catch (error) {
            if (!(error instanceof PlanUnsupportedError)) throw error;
            refused++;
            reasons.add(error.message);
            return;
          }
          planned++;
          const byKey = new Map(entities.map((e) => [uidKey(e.uid), e]));
          for (const doc of docs) {
            const ancestors = new Set<string>();
            const stack = [...doc.parents];
            while (stack.length) {
              const p = stack.pop()!;
              if (ancestors.has(uidKey(p))) continue;
              ancestors.add(uidKey(p));
              stack.push(...(byKey.get(uidKey(p))?.parents ?? []));
            }
            const decision = pdp.authorize({ principal, action: { id: 'read' }, resource: doc.uid, context }).decision;
            const selected = plan.kind === 'always_allowed' || (plan.kind === 'conditional' && planMatches(plan.condition, doc, () => ancestors));
            expect(selected, `${policies}\n${doc.uid.id}: ${JSON.stringify(plan)}`).toBe(decision === 'allow');
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(refused, [...reasons].join('\n')).toBe(0);
    expect(planned).toBe(300);
  });

  it('refuses what the condition language cannot say', () => {
    for (const c of REFUSED) {
      const policy = compilePolicySet({ name: 'platform', schema: SCHEMA, policies: `@id("p") permit (principal, action, resource) when { ${c} };` });
      expect(
        () =>
          planAuthorization({
            policy,
            entities: [],
            actionType: 'Action',
            request: { principal: { type: 'User', id: 'u0' }, action: { id: 'read' }, resourceType: 'Doc', context: { flag: true } },
          }),
        c,
      ).toThrow(PlanUnsupportedError);
    }
  });
});
