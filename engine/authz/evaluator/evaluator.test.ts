/**
 * Each operator, error case, Long overflow, `like` escape and extension function of Tenet's evaluator, against
 * cedar-wasm `isAuthorized` on the same input: every case states what Cedar answers (true / false / error) and
 * both engines must give that answer.
 */
import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { describe, expect, it } from 'vitest';
import {
  authorize,
  compilePolicySet,
  createEntityIndex,
  EntityOverlay,
  evaluateOnce,
  splitPolicyText,
  UnsupportedPolicyError,
  type CedarInput,
  type CedarRequest,
} from './index.ts';
import { parseJsonLossless } from './lossless-json.ts';
import { likeMatch } from './operations.ts';
import { compilePolicy } from './compile.ts';
import { parseDatetime, parseDuration } from './extensions.ts';

const ENTITIES = [
  {
    uid: { type: 'User', id: 'alice' },
    attrs: {
      age: 30,
      name: 'alice',
      labels: ['a', 'b'],
      manager: { __entity: { type: 'User', id: 'bob' } },
      ip: { __extn: { fn: 'ip', arg: '10.0.0.1' } },
      rec: { x: 1, y: { z: true } },
    },
    parents: [{ type: 'Group', id: 'staff' }],
    tags: { dept: 'eng' },
  },
  { uid: { type: 'User', id: 'bob' }, attrs: { age: 50 }, parents: [{ type: 'Group', id: 'admins' }] },
  { uid: { type: 'Group', id: 'staff' }, attrs: {}, parents: [{ type: 'Group', id: 'all' }] },
  { uid: { type: 'Group', id: 'admins' }, attrs: {}, parents: [{ type: 'Group', id: 'all' }] },
];
const REQUEST: CedarRequest = {
  principal: { type: 'User', id: 'alice' },
  action: { type: 'Action', id: 'view' },
  resource: { type: 'Doc', id: 'd1' },
  context: { n: 5, s: 'x', who: { __entity: { type: 'User', id: 'bob' } } },
};

/** cedar-wasm takes JS numbers (safe integers only): 64-bit extremes are written as policy literals instead. */
function forWasm(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(forWasm);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, forWasm(x)]));
  return v;
}

function wasm(input: CedarInput, request: CedarRequest) {
  const answer = cedar.isAuthorized({
    principal: request.principal,
    action: request.action,
    resource: request.resource,
    context: forWasm(request.context) as cedar.Context,
    policies: { staticPolicies: input.policies },
    entities: forWasm(input.entities) as cedar.Entities,
    ...(input.schema ? { schema: input.schema as cedar.Schema } : {}),
  });
  if (answer.type === 'failure') throw new Error(`cedar-wasm failed: ${answer.errors.map((e) => e.message).join('; ')}`);
  return {
    decision: answer.response.decision,
    reasons: [...answer.response.diagnostics.reason].sort(),
    errors: answer.response.diagnostics.errors.map((e) => e.policyId).sort(),
  };
}

function both(input: CedarInput, request: CedarRequest = REQUEST) {
  const mine = evaluateOnce(input, request);
  const theirs = wasm(input, request);
  expect({ decision: mine.decision, reasons: [...mine.reasons].sort(), errors: [...mine.errors].sort() }).toEqual(theirs);
  return theirs;
}

type Outcome = true | false | 'error';
/** `permit when { expr }`: true = allow, false = deny, 'error' = deny with the policy in errors. */
function check(expr: string, expected: Outcome, input: Partial<CedarInput> = {}, request?: CedarRequest) {
  const answer = both({ policies: `permit(principal, action, resource) when { ${expr} };`, entities: ENTITIES, ...input }, request);
  const outcome: Outcome = answer.errors.length ? 'error' : answer.decision === 'allow';
  expect(outcome, expr).toBe(expected);
}

const table = (cases: Array<[string, Outcome]>) => it.each(cases)('%s → %s', (expr, expected) => check(expr, expected));

describe('evaluator against cedar-wasm', () => {
  describe('Long arithmetic and overflow', () =>
    table([
      ['1 + 2 == 3', true],
      ['context.n * 3 - 1 == 14', true],
      ['-context.n == -5', true],
      ['9223372036854775807 + 1 == 0', 'error'],
      ['9223372036854775807 + context.n == 0', 'error'],
      ['-9223372036854775808 - context.n == 0', 'error'],
      ['-(-9223372036854775807 - 1) == 0', 'error'],
      ['9223372036854775807 * 2 == 0', 'error'],
      ['(-9223372036854775808) * -1 == 0', 'error'],
      ['9223372036854775807 - 9223372036854775806 == 1', true],
      ['-9223372036854775808 + 9223372036854775807 == -1', true],
      ['9223372036854775807 != 9223372036854775806', true],
      ['1 < 2 && 2 <= 2 && 3 > 2 && 3 >= 3', true],
      ['"a" < "b"', 'error'],
      ['1 + "a" == 2', 'error'],
    ]));

  describe('equality is structural and never errors', () =>
    table([
      ['1 == "1"', false],
      ['User::"a" == User::"a"', true],
      ['User::"a" == Group::"a"', false],
      ['[1, 1, 2] == [2, 1]', true],
      ['{a: 1, b: [2]} == {b: [2], a: 1}', true],
      ['{a: 1} == {a: 1, b: 2}', false],
      ['principal.manager == User::"bob"', true],
      ['context.who == principal.manager', true],
      ['ip("10.0.0.1") == ip("10.0.0.1/32")', true],
      ['decimal("1.0") == decimal("1.0000")', true],
      ['decimal("1.0") == 1', false],
      ['[1, "a"] != [1]', true],
    ]));

  describe('&&, || and if-then-else short-circuit; non-booleans are type errors', () =>
    table([
      ['false && (1 + "a" == 2)', false],
      ['true || (1 + "a" == 2)', true],
      ['true && 1', 'error'],
      ['false || "x"', 'error'],
      ['(if false then (1 + "a") else 2) == 2', true],
      ['if 1 then true else false', 'error'],
      ['!(1 == 2)', true],
      ['!1', 'error'],
      ['1', 'error'],
    ]));

  describe('attributes, has, records', () =>
    table([
      ['principal.age == 30', true],
      ['principal.rec.y.z', true],
      ['principal has rec.y.z', true],
      ['principal has rec.y.w', false],
      ['principal has missing', false],
      ['principal.missing == 1', 'error'],
      ['User::"ghost" has age', false],
      ['User::"ghost".age == 1', 'error'],
      ['principal.manager.age == 50', true],
      ['resource has x', false],
      ['resource.x == 1', 'error'],
      ['{a: 1}.b == 1', 'error'],
      ['{a: 1} has a', true],
      ['1 has x', 'error'],
      ['"s".x == 1', 'error'],
      ['context has who && context.who.age == 50', true],
    ]));

  describe('in, is and the ancestor closure', () =>
    table([
      ['principal in Group::"staff"', true],
      ['principal in Group::"all"', true],
      ['principal in Group::"admins"', false],
      ['principal in [Group::"x", Group::"all"]', true],
      ['principal in []', false],
      ['principal in [1]', 'error'],
      ['principal in [Group::"all", 1]', 'error'],
      ['principal in principal', true],
      ['User::"ghost" in User::"ghost"', true],
      ['User::"ghost" in Group::"all"', false],
      ['1 in Group::"all"', 'error'],
      ['principal in "x"', 'error'],
      ['principal.manager in Group::"all"', true],
      ['principal is User', true],
      ['principal is Group', false],
      ['principal is User in Group::"all"', true],
      ['principal is Group in Group::"all"', false],
      ['1 is User', 'error'],
    ]));

  describe('sets', () =>
    table([
      ['[1, 2].contains(2)', true],
      ['[1, [2]].contains([2])', true],
      ['[{a: 1}].contains({a: 1})', true],
      ['principal.labels.contains("a")', true],
      ['principal.labels.containsAll(["a", "b"])', true],
      ['principal.labels.containsAll(["a", "c"])', false],
      ['principal.labels.containsAny(["c", "b"])', true],
      ['principal.labels.containsAny([])', false],
      ['principal.labels.containsAll([])', true],
      ['[].isEmpty()', true],
      ['principal.labels.isEmpty()', false],
      ['"ab".contains("a")', 'error'],
      ['[1].containsAll(1)', 'error'],
      ['principal.age.isEmpty()', 'error'],
    ]));

  describe('like, with escapes', () =>
    table([
      ['"axxb" like "a*b"', true],
      ['"a*b" like "a\\*b"', true],
      ['"axb" like "a\\*b"', false],
      ['"" like "*"', true],
      ['"abc" like "*c"', true],
      ['"abc" like "*b"', false],
      ['"héllo wörld" like "h*o w*d"', true],
      ['"a\\\\b" like "a\\\\*"', true],
      ['"aaa" like "a**a"', true],
      ['1 like "1"', 'error'],
      [`"${'a'.repeat(200_000)}" like "${'a'.repeat(200_000)}*"`, true],
    ]));

  it('like: a literal longer than a call may take as arguments (it was spread into one push)', () => {
    const long = Array.from({ length: 500_000 }, () => 'a');
    expect(likeMatch('a'.repeat(500_000) + 'b', [{ literal: long }, { wildcard: true }])).toBe(true);
  });

  describe('tags', () =>
    table([
      ['principal.hasTag("dept")', true],
      ['principal.getTag("dept") == "eng"', true],
      ['principal.hasTag("nope")', false],
      ['principal.getTag("nope") == 1', 'error'],
      ['User::"ghost".hasTag("x")', false],
      ['User::"ghost".getTag("x") == 1', 'error'],
      ['principal.hasTag(1)', 'error'],
    ]));

  describe('decimal', () =>
    table([
      ['decimal("1.2345").lessThan(decimal("1.2346"))', true],
      ['decimal("-1.5").lessThanOrEqual(decimal("-1.5"))', true],
      ['decimal("2.0").greaterThan(decimal("10.0"))', false],
      ['decimal("922337203685477.5807").greaterThanOrEqual(decimal("0.0"))', true],
      ['decimal("922337203685477.5808") == decimal("0.0")', 'error'],
      ['decimal("1.23456") == decimal("0.0")', 'error'],
      ['decimal("1") == decimal("1.0")', 'error'],
      ['decimal("-.5") == decimal("0.0")', 'error'],
      ['decimal("1.0").lessThan(1)', 'error'],
    ]));

  describe('ipaddr', () =>
    table([
      ['ip("10.0.0.1").isIpv4()', true],
      ['ip("::1").isIpv6()', true],
      ['ip("127.0.0.1").isLoopback()', true],
      ['ip("::1").isLoopback()', true],
      ['ip("::2").isLoopback()', false],
      ['ip("224.0.0.1").isMulticast()', true],
      ['ip("ff00::1").isMulticast()', true],
      ['ip("10.1.2.3").isInRange(ip("10.0.0.0/8"))', true],
      ['ip("10.0.0.0/8").isInRange(ip("10.1.0.0/16"))', false],
      ['ip("10.1.2.3").isInRange(ip("::/0"))', false],
      ['principal.ip.isInRange(ip("10.0.0.0/24"))', true],
      ['ip("01.2.3.4").isIpv4()', 'error'],
      ['ip("1.2.3.4/33").isIpv4()', 'error'],
      ['ip("::ffff:1.2.3.4").isIpv6()', 'error'],
      ['ip("1:2:3:4:5:6:7:8::").isIpv6()', 'error'],
      ['ip("1::2::3").isIpv6()', 'error'],
      ['ip("2001:DB8::1/64").isInRange(ip("2001:db8::/32"))', true],
      ['ip("10.0.0.1").isInRange(1)', 'error'],
    ]));

  describe('datetime and duration', () =>
    table([
      ['datetime("2024-10-15") < datetime("2024-10-15T00:00:00.001Z")', true],
      ['datetime("2024-10-15T11:35:00+0100") == datetime("2024-10-15T10:35:00Z")', true],
      ['datetime("2024-10-15T11:35:00.123-0230").toTime() == duration("14h5m0s123ms")', true],
      ['datetime("2024-02-29").toDate() == datetime("2024-02-29")', true],
      ['datetime("2023-02-29") == datetime("2023-02-28")', 'error'],
      ['datetime("2024-10-15T11:35:60Z") == datetime("2024-10-15")', 'error'],
      ['datetime("2024-10-15T11:35:00") == datetime("2024-10-15")', 'error'],
      ['datetime("1969-12-31T23:00:00Z").toDate() == datetime("1969-12-31")', true],
      ['datetime("1969-12-31T23:00:00Z").toTime() == duration("23h")', true],
      ['datetime("2024-01-02").durationSince(datetime("2024-01-01")) == duration("1d")', true],
      ['datetime("2024-01-01").offset(duration("-1ms")) < datetime("2024-01-01")', true],
      ['duration("1d2h3m4s5ms").toMilliseconds() == 93784005', true],
      ['duration("-1d2h").toHours() == -26', true],
      ['duration("90m").toHours() == 1', true],
      ['duration("1h") <= duration("60m")', true],
      ['duration("1h1d") == duration("1h")', 'error'],
      ['duration("") == duration("1h")', 'error'],
      ['duration("1.5h") == duration("1h")', 'error'],
      ['duration("9223372036854775807ms").toMilliseconds() > 0', true],
      ['duration("9223372036854775807s") == duration("1s")', 'error'],
      ['datetime("2024-01-01") < duration("1h")', 'error'],
      ['duration("1h").toDays() == 0', true],
    ]));

  describe('extension constructor edge cases agree with cedar-wasm', () => {
    const literals: Array<[string, string]> = [
      ...[
        '1.2.3.4/08',
        '::/0128',
        '0.0.0.0/0',
        '::1/129',
        '1:2:3:4:5:6:7::',
        '::1:2:3:4:5:6:7',
        ':1::',
        '1.2.3',
        '1.2.3.4.5',
        '256.1.1.1',
        '00.1.1.1',
        'fe80::1%eth0',
        '1:2:3:4:5:6:7:8',
        '12345::',
        ' 1.2.3.4',
        'a:b:c:d:e:f:0:1/64',
      ].map((x): [string, string] => ['ip', x]),
      ...['+1.0', '1.', '.1', '-0.0', '1.2.3', '-922337203685477.5808', '-922337203685477.5809', '00.10', '1.0000'].map((x): [string, string] => [
        'decimal',
        x,
      ]),
      ...['1d1d', '-0ms', '1D', '0d', '1d2h3m4s5ms6', '-', '1ms2s', '106751991167d', '106751991168d', '1h30m'].map((x): [string, string] => ['duration', x]),
      ...[
        '2024-10-15T11:35:00.1Z',
        '2024-10-15T11:35:00+24:00',
        '2024-10-15T24:00:00Z',
        '10000-01-01',
        '2024-10-15T11:35:00+2400',
        '2024-10-15T11:35:00+2359',
        '2024-10-15T11:35:00-0000',
        '2024-10-15T11:35:00+0060',
        '0000-01-01',
        '2024-13-01',
        '2024-00-10',
        '2024-04-31',
        '2024-10-15t11:35:00Z',
        '2024-10-15T11:35Z',
      ].map((x): [string, string] => ['datetime', x]),
    ];
    it.each(literals)('%s("%s")', (fn, arg) => {
      // Both engines must agree on whether the literal is valid (error or not) and on its value (== itself, offset by 0).
      both({ policies: `permit(principal, action, resource) when { ${fn}("${arg}") == ${fn}("${arg}") };`, entities: ENTITIES });
      // And on the value: milliseconds since the epoch as this evaluator reads them.
      const ms = fn === 'datetime' ? parseDatetime(arg)?.v : fn === 'duration' ? parseDuration(arg)?.v : undefined;
      if (ms !== undefined) {
        const expr = fn === 'datetime' ? `datetime("${arg}").durationSince(datetime("1970-01-01")).toMilliseconds()` : `duration("${arg}").toMilliseconds()`;
        const policy = ms === -(2n ** 63n) ? `${expr} + 1 == ${ms + 1n}` : `${expr} == ${ms}`;
        expect(both({ policies: `permit(principal, action, resource) when { ${policy} };`, entities: ENTITIES }).decision).toBe('allow');
      }
    });
  });

  it('an erroring forbid is skipped by Cedar and denies with failClosed', () => {
    const input: CedarInput = {
      policies: 'permit(principal, action, resource);\nforbid(principal, action, resource) when { principal.missing };',
      entities: ENTITIES,
    };
    expect(both(input)).toEqual({ decision: 'allow', reasons: ['policy0'], errors: ['policy1'] });
    expect(evaluateOnce(input, REQUEST, { failClosed: true })).toEqual({ decision: 'deny', reasons: [], errors: ['policy1'] });
  });

  it('positional ids follow the text order (policy10 sorts before policy2 in cedar-wasm), @id does not rename', () => {
    let text = '';
    for (let i = 0; i < 12; i++)
      text += `@id("p${i}") ${i === 10 ? 'permit' : 'forbid'}(principal == User::"${i === 10 ? 'alice' : `u${i}`}", action, resource);\n`;
    expect(splitPolicyText(text).map((p) => p.id)).toEqual(Array.from({ length: 12 }, (_, i) => `policy${i}`));
    expect(both({ policies: text, entities: ENTITIES })).toEqual({ decision: 'allow', reasons: ['policy10'], errors: [] });
    const annotated = compilePolicySet({ policies: text }, { ids: 'annotation' });
    expect(authorize(annotated, createEntityIndex(annotated, ENTITIES), REQUEST).reasons).toEqual(['p10']);
  });

  it('templates and links', () => {
    const policies = {
      t0: 'permit(principal == ?principal, action, resource in ?resource);',
      s0: 'forbid(principal, action, resource) when { resource has locked };',
    };
    const templateLinks = [
      { templateId: 't0', newId: 'alice-folder', values: { '?principal': { type: 'User', id: 'alice' }, '?resource': { type: 'Folder', id: 'f' } } },
      { templateId: 't0', newId: 'bob-folder', values: { '?principal': { type: 'User', id: 'bob' }, '?resource': { type: 'Folder', id: 'f' } } },
    ];
    const entities = [...ENTITIES, { uid: { type: 'Doc', id: 'd1' }, attrs: {}, parents: [{ type: 'Folder', id: 'f' }] }];
    const compiled = compilePolicySet({ policies, templateLinks });
    const mine = authorize(compiled, createEntityIndex(compiled, entities), REQUEST);
    const theirs = cedar.isAuthorized({
      ...REQUEST,
      context: {},
      policies: { staticPolicies: { s0: policies.s0 }, templates: { t0: policies.t0 }, templateLinks },
      entities: forWasm(entities) as cedar.Entities,
    });
    expect(theirs.type === 'success' && theirs.response.diagnostics.reason).toEqual(['alice-folder']);
    expect(mine.reasons).toEqual(['alice-folder']);
    expect(mine.decision).toBe('allow');
  });

  describe('with a schema', () => {
    const schema = `
      entity Group;
      entity User in [Group] { ip: ipaddr, boss?: User, score: decimal, when?: datetime, info: { owner: User, nets: Set<ipaddr> } } tags String;
      entity Doc { owner: User };
      action read;
      action write in [read];
      action edit in [write] appliesTo { principal: [User], resource: [Doc], context: { from: ipaddr, by: User, at: datetime } };
    `;
    const entities = [
      {
        uid: { type: 'User', id: 'alice' },
        attrs: {
          ip: '10.0.0.1',
          boss: { type: 'User', id: 'bob' },
          score: '0.75',
          when: '2024-01-01T00:00:00Z',
          info: { owner: { type: 'User', id: 'bob' }, nets: ['10.0.0.0/8'] },
        },
        parents: [],
        tags: { t: 'v' },
      },
      {
        uid: { type: 'User', id: 'bob' },
        attrs: {
          ip: { __extn: { fn: 'ip', arg: '::1' } },
          score: { __extn: { fn: 'decimal', arg: '1.0' } },
          info: { owner: { __entity: { type: 'User', id: 'bob' } }, nets: [] },
        },
        parents: [{ type: 'Group', id: 'g' }],
      },
      { uid: { type: 'Doc', id: 'd1' }, attrs: { owner: { type: 'User', id: 'alice' } }, parents: [] },
    ];
    const request: CedarRequest = {
      principal: { type: 'User', id: 'alice' },
      action: { type: 'Action', id: 'edit' },
      resource: { type: 'Doc', id: 'd1' },
      context: { from: '192.168.1.1', by: { type: 'User', id: 'bob' }, at: '2024-06-01' },
    };
    const cases: Array<[string, Outcome]> = [
      ['action in Action::"read"', true],
      ['action in Action::"write"', true],
      ['action in [Action::"read", Action::"other"]', true],
      ['principal.ip.isInRange(ip("10.0.0.0/8"))', true],
      ['principal.boss == User::"bob" && principal.boss in Group::"g"', true],
      ['principal.score.lessThan(decimal("0.8"))', true],
      ['principal.when < context.at', true],
      ['principal.info.owner.ip.isLoopback()', true],
      ['principal.info.nets.contains(ip("10.0.0.0/8"))', true],
      ['context.from.isIpv4() && context.by == User::"bob"', true],
      ['resource.owner == principal', true],
      ['principal.getTag("t") == "v"', true],
    ];
    it.each(cases)('%s → %s', (expr, expected) => check(expr, expected, { schema, entities }, request));

    it('a forbid on an action group applies to the actions in it', () => {
      const input = { policies: 'permit(principal, action, resource);\nforbid(principal, action in Action::"write", resource);', schema, entities };
      expect(both(input, request)).toEqual({ decision: 'deny', reasons: ['policy1'], errors: [] });
    });

    it('takes the Cedar JSON form of the schema too', () => {
      const json = cedar.schemaToJson(schema);
      if (json.type !== 'success') throw new Error('schema');
      check('action in Action::"read" && principal.ip.isInRange(ip("10.0.0.0/8"))', true, { schema: json.json, entities }, request);
    });
  });

  it('namespaced schema: entity types, common types, action groups and implicit JSON resolve in the namespace', () => {
    const schema = `namespace App {
      type Addr = { ip: ipaddr, owner: User };
      entity Team;
      entity User in [Team] { addr: Addr, tags: Set<String> };
      entity Doc in [Team];
      action read;
      action write in [read] appliesTo { principal: User, resource: Doc, context: { at: Addr } };
    }`;
    const entities = [
      {
        uid: { type: 'App::User', id: 'u' },
        attrs: { addr: { ip: '10.0.0.1', owner: { type: 'App::User', id: 'u' } }, tags: ['x'] },
        parents: [{ type: 'App::Team', id: 't' }],
      },
      { uid: { type: 'App::Doc', id: 'd' }, attrs: {}, parents: [{ type: 'App::Team', id: 't' }] },
    ];
    const request: CedarRequest = {
      principal: { type: 'App::User', id: 'u' },
      action: { type: 'App::Action', id: 'write' },
      resource: { type: 'App::Doc', id: 'd' },
      context: { at: { ip: '127.0.0.1', owner: { type: 'App::User', id: 'u' } } },
    };
    const expr =
      'action in App::Action::"read" && principal.addr.ip.isInRange(ip("10.0.0.0/8")) && context.at.ip.isLoopback() && context.at.owner == principal && principal is App::User in App::Team::"t" && resource in App::Team::"t"';
    check(expr, true, { schema, entities }, request);
    const json = cedar.schemaToJson(schema);
    if (json.type !== 'success') throw new Error('schema');
    check(expr, true, { schema: json.json, entities }, request);
  });

  describe('refuses what cedar-wasm refuses (entity data and requests that do not conform to the schema)', () => {
    const schema =
      'entity T enum ["a", "b"]; entity G; entity U in [G] { n: Long, s?: String, e?: T }; entity D tags Long; action read appliesTo { principal: U, resource: [U, D], context: { k?: Long } };';
    const u = (attrs: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ uid: { type: 'U', id: 'u' }, attrs, parents: [], ...extra });
    const request: CedarRequest = { principal: { type: 'U', id: 'u' }, action: { type: 'Action', id: 'read' }, resource: { type: 'U', id: 'u' }, context: {} };
    const cases: Array<[string, unknown[], Partial<CedarRequest>, boolean]> = [
      ['conforming', [u({ n: 1, s: 'x', e: { type: 'T', id: 'a' } })], {}, false],
      ['a Long attribute given a string', [u({ n: '1' })], {}, true],
      ['a required attribute missing', [u({})], {}, true],
      ['an undeclared attribute', [u({ n: 1, zz: 1 })], {}, true],
      ['an id outside an enumerated type', [u({ n: 1, e: { type: 'T', id: 'c' } })], {}, true],
      ['a parent of a type the schema does not allow', [u({ n: 1 }, { parents: [{ type: 'U', id: 'x' }] })], {}, true],
      ['a parent of an allowed type', [u({ n: 1 }, { parents: [{ type: 'G', id: 'x' }] })], {}, false],
      ['tags on a type without tags', [u({ n: 1 }, { tags: { a: 1 } })], {}, true],
      ['tags of the wrong type', [u({ n: 1 }), { uid: { type: 'D', id: 'd' }, attrs: {}, parents: [], tags: { a: 'x' } }], {}, true],
      ['a context attribute of the wrong type', [u({ n: 1 })], { context: { k: 'x' } }, true],
      ['an undeclared context attribute', [u({ n: 1 })], { context: { zz: 1 } }, true],
      ['a resource type outside appliesTo', [u({ n: 1 })], { resource: { type: 'G', id: 'g' } }, true],
      ['an undeclared action', [u({ n: 1 })], { action: { type: 'Action', id: 'nope' } }, true],
      [
        'a cycle',
        [u({ n: 1 }, { parents: [{ type: 'G', id: 'g' }] }), { uid: { type: 'G', id: 'g' }, attrs: {}, parents: [{ type: 'G', id: 'g' }] }],
        {},
        true,
      ],
    ];
    it.each(cases)('%s', (_name, entities, change, refused) => {
      const input: CedarInput = { policies: 'permit(principal, action, resource);', schema, entities };
      const req = { ...request, ...change };
      let wasmRefused = false;
      try {
        wasm(input, req);
      } catch {
        wasmRefused = true;
      }
      let mineRefused = false;
      try {
        evaluateOnce(input, req);
      } catch {
        mineRefused = true;
      }
      expect({ cedarWasm: wasmRefused, evaluator: mineRefused }).toEqual({ cedarWasm: refused, evaluator: refused });
    });

    it('validateRequest: false answers a request outside appliesTo, as Cedar without request validation does', () => {
      const input: CedarInput = { policies: 'permit(principal, action, resource);', schema, entities: [u({ n: 1 })] };
      expect(evaluateOnce(input, { ...request, resource: { type: 'G', id: 'g' } }, { validateRequest: false }).decision).toBe('allow');
    });
  });

  it('schema-less action groups come from the entities', () => {
    const entities = [...ENTITIES, { uid: { type: 'Action', id: 'view' }, attrs: {}, parents: [{ type: 'Action', id: 'readOnly' }] }];
    check('action in Action::"readOnly"', true, { entities });
  });
});

describe('entity index', () => {
  it('keeps the ancestor closure up to date through upserts and removals', () => {
    const compiled = compilePolicySet({ policies: 'permit(principal in Group::"top", action, resource);' });
    const index = createEntityIndex(compiled, [
      { uid: { type: 'User', id: 'u' }, attrs: {}, parents: [{ type: 'Group', id: 'mid' }] },
      { uid: { type: 'Group', id: 'mid' }, attrs: {}, parents: [] },
    ]);
    const req = { principal: { type: 'User', id: 'u' }, action: { type: 'Action', id: 'a' }, resource: { type: 'R', id: 'r' } };
    expect(authorize(compiled, index, req).decision).toBe('deny');
    index.upsert({ uid: { type: 'Group', id: 'mid' }, attrs: {}, parents: [{ type: 'Group', id: 'top' }] });
    expect(index.get('User::"u"')!.ancestors).toEqual(new Set(['Group::"mid"', 'Group::"top"']));
    expect(authorize(compiled, index, req).decision).toBe('allow');
    // Removing the middle group: u still names it, but no longer reaches what only the group reached.
    index.remove({ type: 'Group', id: 'mid' });
    expect(authorize(compiled, index, req).decision).toBe('deny');
    expect(index.get('User::"u"')!.ancestors).toEqual(new Set(['Group::"mid"']));
    index.upsertMany([
      { uid: { type: 'Group', id: 'mid' }, attrs: {}, parents: [{ type: 'Group', id: 'x' }] },
      { uid: { type: 'Group', id: 'x' }, attrs: {}, parents: [{ type: 'Group', id: 'top' }] },
    ]);
    expect(authorize(compiled, index, req).decision).toBe('allow');
    // Cedar refuses a hierarchy with a cycle: the write is refused and the index is as it was.
    expect(() => index.upsert({ uid: { type: 'Group', id: 'top' }, attrs: {}, parents: [{ type: 'Group', id: 'mid' }] })).toThrow(/cycle/);
    expect(index.has('Group::"top"')).toBe(false);
    expect(index.get('User::"u"')!.ancestors).toEqual(new Set(['Group::"mid"', 'Group::"x"', 'Group::"top"']));
    expect(authorize(compiled, index, req).decision).toBe('allow');
  });
});

describe('request-supplied entities over the store (EntityOverlay)', () => {
  it('answers as Cedar does with every entity, without touching the store', () => {
    const policies = 'permit(principal in Group::"top", action, resource) when { resource.owner.level > 2 };';
    const stored = [
      { uid: { type: 'User', id: 'u' }, attrs: {}, parents: [{ type: 'Team', id: 't' }] },
      { uid: { type: 'Group', id: 'mid' }, attrs: {}, parents: [{ type: 'Group', id: 'top' }] },
    ];
    // The team (a parent the store only names) and the resource come with the request.
    const extra = [
      { uid: { type: 'Team', id: 't' }, attrs: {}, parents: [{ type: 'Group', id: 'mid' }] },
      { uid: { type: 'Doc', id: 'd1' }, attrs: { owner: { __entity: { type: 'User', id: 'boss' } } }, parents: [] },
      { uid: { type: 'User', id: 'boss' }, attrs: { level: 3 }, parents: [] },
    ];
    const request: CedarRequest = {
      principal: { type: 'User', id: 'u' },
      action: { type: 'Action', id: 'a' },
      resource: { type: 'Doc', id: 'd1' },
      context: {},
    };
    const compiled = compilePolicySet({ policies });
    const index = createEntityIndex(compiled, stored);
    const overlay = new EntityOverlay(index, extra);
    expect(authorize(compiled, overlay, request).decision).toBe(wasm({ policies, entities: [...stored, ...extra] }, request).decision);
    expect(authorize(compiled, overlay, request).decision).toBe('allow');
    expect(authorize(compiled, index, request).decision).toBe('deny');
    expect(index.get('User::"u"')!.ancestors).toEqual(new Set(['Team::"t"']));
    expect(() => new EntityOverlay(index, [stored[0]])).toThrow(/not replace/);
  });
});

describe('compile-time refusals and lossless input', () => {
  it('refuses what it cannot read exactly with UnsupportedPolicyError, at compile time', () => {
    // A policy text with an integer that reaches the compiler rounded (a JSON policy, not text) is refused.
    expect(() =>
      compilePolicy(
        {
          effect: 'permit',
          principal: { op: 'All' },
          action: { op: 'All' },
          resource: { op: 'All' },
          conditions: [{ kind: 'when', body: { '==': { left: { Value: 2 ** 60 + 1 }, right: { Value: 1 } } } }],
        },
        { policyId: 'p', slots: {}, bigLiterals: new Map() },
      ),
    ).toThrow(UnsupportedPolicyError);
    expect(() =>
      compilePolicy(
        {
          effect: 'permit',
          principal: { op: 'All' },
          action: { op: 'All' },
          resource: { op: 'All' },
          conditions: [{ kind: 'when', body: { nope: [{ Value: 1 }] } }],
        },
        { policyId: 'p', slots: {}, bigLiterals: new Map() },
      ),
    ).toThrow(UnsupportedPolicyError);
  });

  it('reads 64-bit integers exactly from JSON and from policy text', () => {
    expect(parseJsonLossless('{"a": 9223372036854775807, "b": [1, -9223372036854775808], "c": 1.5}')).toEqual({
      a: 9223372036854775807n,
      b: [1, -9223372036854775808n],
      c: 1.5,
    });
    const answer = evaluateOnce(
      {
        policies:
          'permit(principal, action, resource) when { [9223372036854775807, 9223372036854775806].contains(context.v) && context.v != 9223372036854775806 };',
        entities: [],
      },
      { ...REQUEST, context: { v: 9223372036854775807n } },
    );
    expect(answer.decision).toBe('allow');
    const entities = [{ uid: { type: 'User', id: 'alice' }, attrs: { big: 9007199254740993n }, parents: [] }];
    const exact = (policies: string) => evaluateOnce({ policies, entities }, REQUEST).decision;
    expect(exact('permit(principal, action, resource) when { principal.big == 9007199254740993 };')).toBe('allow');
    expect(exact('permit(principal, action, resource) when { principal.big == 9007199254740992 };')).toBe('deny');
  });
});
